import { Db } from "../db/database";
import type { WebhookEndpointRow } from "../db/schema";
import type { Bindings, Tenant } from "../env";
import { newId } from "../lib/ids";
import { attemptDelivery } from "./attempt";
import { insertTestSend, recordAttempt, takeTestSendSlot } from "./delivery-queries";
import { TEST_EVENT } from "./events";
import type { WebhookDeliveryRecord } from "./record";
import { ATTEMPT_LEASE_MS, ATTEMPT_TIMEOUT_MS, ENDPOINT_MAX_IN_FLIGHT } from "./schedule";

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
  /**
   * The request's database: its Idempotency-Key claim then rides in the
   * first write (the event and delivery, with `resourceId` = the delivery's
   * ID), so a retry with the same key never sends twice. Default: a plain one.
   */
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
 * `POST /webhooks/{id}/test`: records a `webhook.test` event (already
 * dispatched, so nothing fans it out) and its delivery, POSTs it now (also to
 * an inactive endpoint), waits for the answer or the 10 s timeout, and
 * records the attempt. No retries: the delivery ends succeeded or failed.
 * The answer counts toward the endpoint's health like any other attempt.
 * While the endpoint's in-flight slots stay taken (about 2 s), nothing is
 * sent: the delivery ends failed with an attempt saying why, which does not
 * count against the endpoint. Returns null if the endpoint no longer exists
 * (deleted meanwhile).
 */
export async function sendTestEvent(
  env: Bindings,
  endpoint: TestSendEndpoint,
  options: TestSendOptions = {},
): Promise<WebhookDeliveryRecord | null> {
  const db = options.db ?? new Db(env.DB);
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
    createdAt: now,
  };
  const deliveryId = newId("whdl", now);
  const ids = { deliveryId, endpointId: endpoint.id };
  const { recorded, slot } = await insertTestSend(
    db,
    tenant,
    { eventId: event.id, ...ids },
    { type: event.type, data: event.data },
    now,
    now + ATTEMPT_LEASE_MS,
  );
  if (!recorded) return null;
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
      { failingBefore: 0, countsAgainstEndpoint: false },
    );
    return { deliveryId, success: false, deliveredAt: at };
  }
  const result = await attemptDelivery(
    env,
    db,
    { tenant, deliveryId, attempt: 1, deliveryCreatedAt: now, endpoint, event },
    { timeoutMs: options.timeoutMs ?? ATTEMPT_TIMEOUT_MS, retries: false },
  );
  return { deliveryId, success: result.ok, deliveredAt: result.attemptedAt };
}
