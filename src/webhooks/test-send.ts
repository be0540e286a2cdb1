import type { Db } from "../db/database";
import type { WebhookEndpointRow } from "../db/schema";
import { findDelivery } from "../deliveries/queries";
import type { Bindings, Tenant } from "../env";
import { ApiError } from "../errors";
import { insertTestSend, recordAttempt, takeTestSendSlot } from "../history/deliveries";
import { storesOf } from "../history/stores";
import { newId } from "../lib/ids";
import { defineOperation } from "../operation/define";
import { attemptDelivery } from "./attempt";
import { TEST_EVENT } from "./events";
import { claimEndpoint, findEndpointWithSecret } from "./queries";
import type { WebhookDeliveryRecord } from "./record";
import { ATTEMPT_LEASE_MS, ATTEMPT_TIMEOUT_MS, ENDPOINT_MAX_IN_FLIGHT } from "./schedule";
import { EndpointIdParam } from "./schemas";

/**
 * A test send takes one of the endpoint's in-flight slots like any attempt;
 * while they are all taken it tries again this often, this many times
 * (about 2 s in all), then answers `success: false` without sending.
 */
const SLOT_RETRY_MS = 500;
const SLOT_RETRIES = 4;
const NO_SLOT = `not sent: ${ENDPOINT_MAX_IN_FLIGHT} deliveries were already being sent to this endpoint; try again shortly`;

/** The endpoint as stored: its `secret` still encrypted (it is decrypted only to sign). */
type TestSendEndpoint = Pick<
  WebhookEndpointRow,
  "id" | "orgId" | "mode" | "url" | "secret" | "apiVersion"
>;

type TestSendOptions = {
  /** The request's catalog handle (the endpoint's health is written through it). */
  db?: Db;
  timeoutMs?: number;
  /** Between two tries for a slot (tests shorten it). */
  slotRetryMs?: number;
};

/** Waits for a free slot, a few times; false if none came free. */
async function waitForSlot(
  db: Db,
  tenant: Tenant,
  ids: { deliveryId: string; endpointId: string },
  retryMs: number,
): Promise<boolean> {
  for (let i = 0; i < SLOT_RETRIES; i++) {
    await new Promise((resolve) => setTimeout(resolve, retryMs));
    if (await takeTestSendSlot(db, tenant, ids, Date.now() + ATTEMPT_LEASE_MS)) return true;
  }
  return false;
}

/**
 * `POST /webhooks/{id}/test`, once the request's first write read the
 * endpoint (and claimed its Idempotency-Key): records a `webhook.test` event
 * and its delivery in the history, POSTs it now (also to
 * an inactive endpoint), waits for the answer or the 10 s timeout, and
 * records the attempt. No retries: the delivery ends succeeded or failed.
 * The answer counts toward the endpoint's health like any other attempt.
 * While the endpoint's in-flight slots stay taken (about 2 s), nothing is
 * sent: the delivery ends failed with an attempt saying why, which does not
 * count against the endpoint.
 */
export async function sendTestEvent(
  env: Bindings,
  endpoint: TestSendEndpoint,
  deliveryId: string,
  options: TestSendOptions = {},
): Promise<WebhookDeliveryRecord> {
  const stores = storesOf(env, options.db);
  const db = stores.history;
  const tenant = { orgId: endpoint.orgId, mode: endpoint.mode };
  const now = Date.now();
  const event = {
    id: newId("whev", now),
    ...tenant,
    type: TEST_EVENT,
    data: JSON.stringify({
      object: "webhook_test",
      endpointId: endpoint.id,
      message: "A test event, sent on request. Nothing changed.",
    }),
    previous: null,
    requestId: null,
    idempotencyKey: null,
    createdAt: now,
  };
  const ids = { deliveryId, endpointId: endpoint.id };
  const { slot } = await insertTestSend(
    db,
    tenant,
    { eventId: event.id, ...ids },
    { type: event.type, data: event.data },
    now,
    now + ATTEMPT_LEASE_MS,
  );
  if (!slot && !(await waitForSlot(db, tenant, ids, options.slotRetryMs ?? SLOT_RETRY_MS))) {
    const at = Date.now();
    await recordAttempt(
      db,
      tenant,
      {
        id: newId("what", at),
        ...ids,
        eventId: event.id,
        attempt: 1,
        statusCode: null,
        durationMs: 0,
        error: NO_SLOT,
        responseExcerpt: null,
        createdAt: at,
      },
      { status: "failed", completedAt: at },
    );
    return { deliveryId, success: false, deliveredAt: at };
  }
  const result = await attemptDelivery(
    env,
    stores,
    { tenant, deliveryId, attempt: 1, windowStart: now, endpoint, event },
    { timeoutMs: options.timeoutMs ?? ATTEMPT_TIMEOUT_MS, retries: false },
  );
  return { deliveryId, success: result.ok, deliveredAt: result.attemptedAt };
}

/**
 * The route. Its first write reads the endpoint and claims the request's
 * Idempotency-Key (with the delivery's ID, which a keyed retry is answered from).
 */
export default defineOperation({
  route: {
    method: "post",
    path: "/api/v1/webhooks/{id}/test",
    operationId: "test-webhook",
    summary: "Send a test event",
    description:
      "Sends a `webhook.test` event to the endpoint now (also to an inactive one) and answers once it answered or timed out (10 s): `success` is whether it answered 2xx. Takes no body (an empty one or `{}`).",
    tags: ["Webhooks"],
    request: { params: EndpointIdParam },
  },
  answer: { one: "webhookDelivery" },
  status: 200,
  description: "What the endpoint did with the test event.",
  errors: ["webhook_not_found"],
  handler: async (c) => {
    const { id } = c.req.valid("param");
    const { tenant } = c.var;
    const deliveryId = newId("whdl");
    const endpoint = await claimEndpoint(c.var.db, tenant, id, deliveryId);
    if (!endpoint) throw new ApiError("webhook_not_found", { param: "id" });
    return sendTestEvent(c.env, { ...endpoint, ...tenant }, deliveryId, { db: c.var.db });
  },
  /**
   * The answer to a keyed retry whose first answer was lost, from the test
   * send's delivery: still pending, it is under way (retry shortly); missing,
   * the first attempt stopped before recording it, so nothing was sent and
   * it is sent now, under the same delivery ID.
   */
  rebuild: async (c, deliveryId) => {
    const { id } = c.req.valid("param");
    const { tenant } = c.var;
    if (!deliveryId) return null;
    const { history } = storesOf(c.env);
    const [endpoint, delivery] = await Promise.all([
      findEndpointWithSecret(c.var.db, tenant, id),
      findDelivery(history, tenant, id, deliveryId),
    ]);
    if (!endpoint) return null;
    if (!delivery) {
      return sendTestEvent(c.env, { ...endpoint, ...tenant }, deliveryId, { db: c.var.db });
    }
    if (delivery.status === "pending") {
      throw new ApiError("idempotency_in_progress", { headers: { "Retry-After": "1" } });
    }
    const last = delivery.attempts.at(-1);
    return {
      deliveryId,
      success: delivery.status === "succeeded",
      deliveredAt: last?.at ?? delivery.createdAt,
    };
  },
});
