import { Db } from "../db/database";
import type { WebhookEndpointRow } from "../db/schema";
import { findDelivery } from "../deliveries/queries";
import type { DeliveryLogRecord } from "../deliveries/record";
import type { Bindings, Tenant } from "../env";
import { ApiError } from "../errors";
import type { StoredEvent } from "../events/present";
import {
  claimAttempt,
  findDeliveryJob,
  insertTestSend,
  recordAttempt,
  takeTestSendSlot,
} from "../history/deliveries";
import { type Stores, storesOf } from "../history/stores";
import { findKeyRecord, type KeyedRequest } from "../idempotency/records";
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

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * While `answer` says no slot was free (`busy`), asks `again` a few times,
 * `retryMs` apart; the last answer.
 */
async function waitForSlot<T>(
  answer: T,
  busy: (answer: T) => boolean,
  again: () => Promise<T>,
  retryMs = SLOT_RETRY_MS,
): Promise<T> {
  let last = answer;
  for (let i = 0; busy(last) && i < SLOT_RETRIES; i++) {
    await pause(retryMs);
    last = await again();
  }
  return last;
}

/**
 * Ends a test send that found no free slot: failed, nothing sent, with
 * attempt `attempt` saying why (not counted against the endpoint).
 */
async function endWithoutSlot(
  db: Db,
  tenant: Tenant,
  ids: { deliveryId: string; endpointId: string; eventId: string },
  attempt: number,
): Promise<WebhookDeliveryRecord> {
  const at = Date.now();
  await recordAttempt(
    db,
    tenant,
    {
      id: newId("what", at),
      ...ids,
      attempt,
      statusCode: null,
      durationMs: 0,
      error: NO_SLOT,
      responseExcerpt: null,
      createdAt: at,
    },
    { status: "failed", completedAt: at },
  );
  return { deliveryId: ids.deliveryId, success: false, deliveredAt: at };
}

/** POSTs the test event as attempt `attempt`, whose slot is held, and answers with the outcome. */
async function attemptTestSend(
  env: Bindings,
  stores: Stores,
  endpoint: TestSendEndpoint,
  send: { deliveryId: string; attempt: number; event: StoredEvent; timeoutMs?: number },
): Promise<WebhookDeliveryRecord> {
  const { deliveryId, attempt, event } = send;
  const tenant = { orgId: endpoint.orgId, mode: endpoint.mode };
  const result = await attemptDelivery(
    env,
    stores,
    { tenant, deliveryId, attempt, windowStart: event.createdAt, endpoint, event },
    { timeoutMs: send.timeoutMs ?? ATTEMPT_TIMEOUT_MS, retries: false },
  );
  return { deliveryId, success: result.ok, deliveredAt: result.attemptedAt };
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
  const taken = await waitForSlot(
    slot,
    (free) => !free,
    () => takeTestSendSlot(db, tenant, ids, Date.now() + ATTEMPT_LEASE_MS),
    options.slotRetryMs,
  );
  if (!taken) {
    return endWithoutSlot(db, tenant, { ...ids, eventId: event.id }, 1);
  }
  return attemptTestSend(env, stores, endpoint, {
    deliveryId,
    attempt: 1,
    event,
    timeoutMs: options.timeoutMs,
  });
}

const inProgress = () =>
  new ApiError("idempotency_in_progress", { headers: { "Retry-After": "1" } });

/** A 2xx answer: what `success` says. */
const answered2xx = (status: number | null) => status !== null && status >= 200 && status < 300;

/**
 * The answer of a test send, from its delivery: its latest attempt (one
 * still pending was retried by hand after its own attempt was recorded).
 */
function answerFrom(delivery: DeliveryLogRecord): WebhookDeliveryRecord {
  const last = delivery.attempts.at(-1);
  const success =
    delivery.status === "pending"
      ? answered2xx(last?.statusCode ?? null)
      : delivery.status === "succeeded";
  return { deliveryId: delivery.id, success, deliveredAt: last?.at ?? delivery.createdAt };
}

/** Whether the request that claimed this Idempotency-Key has answered (its claim is finished). */
async function firstAnswered(env: Bindings, request: KeyedRequest | undefined): Promise<boolean> {
  if (!request) return false;
  const record = await findKeyRecord(new Db(env.DB), request, Date.now());
  return record !== null && record.finishedAt !== null;
}

/**
 * A keyed retry's test send that was recorded pending with no attempt
 * recorded: its first request stopped between recording it and recording
 * its attempt (the history write committed but its answer was lost, or the
 * worker died). Once that request can no longer be running (its claim is
 * finished: it answered; or the attempt's lease has ended), the test send is
 * made now, as the next attempt of the same delivery (claimed like any
 * attempt, so two retries never both send it); until then, 409. Should the
 * first request have POSTed before it stopped, the receiver gets the same
 * event again (the same event ID: at least once).
 */
async function completeTestSend(
  env: Bindings,
  db: Db,
  endpoint: TestSendEndpoint,
  deliveryId: string,
  request: KeyedRequest | undefined,
): Promise<WebhookDeliveryRecord | null> {
  const stores = storesOf(env, db);
  const tenant = { orgId: endpoint.orgId, mode: endpoint.mode };
  const job = await findDeliveryJob(stores.history, deliveryId);
  const ours =
    job?.orgId === tenant.orgId && job.mode === tenant.mode && job.endpointId === endpoint.id;
  if (!job || !ours || !job.event) return null;
  const settled = async () => {
    const delivery = await findDelivery(stores.history, tenant, endpoint.id, deliveryId);
    if (!delivery) return null;
    if (delivery.status === "pending" && delivery.attempts.length === 0) throw inProgress();
    return answerFrom(delivery);
  };
  // Ended meanwhile (the sweep), or its attempt was recorded meanwhile.
  if (job.status !== "pending" || job.recorded > 0) return settled();
  const leaseEnded = job.nextAttemptAt === null || job.nextAttemptAt <= Date.now();
  // Only the first request's attempt is known to be over when it answered; a later one (another
  // keyed retry sending it now) holds its lease.
  const over = leaseEnded || (job.attempts === 1 && (await firstAnswered(env, request)));
  if (!over) throw inProgress();
  const ids = { deliveryId, endpointId: endpoint.id };
  const claimOnce = () =>
    claimAttempt(stores.history, tenant, {
      ...ids,
      attemptsSeen: job.attempts,
      leaseUntil: Date.now() + ATTEMPT_LEASE_MS,
    });
  const claim = await waitForSlot(await claimOnce(), (c) => c === "busy", claimOnce);
  // Another retry with this key claimed it first (it is sending it), or it ended meanwhile.
  if (claim === "taken") return settled();
  const { event } = job;
  if (claim === "busy") {
    return endWithoutSlot(stores.history, tenant, { ...ids, eventId: event.id }, job.attempts);
  }
  return attemptTestSend(env, stores, endpoint, { deliveryId, attempt: job.attempts + 1, event });
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
   * send's delivery, as it was answered (its latest attempt). Missing, the
   * first request stopped before recording it, so nothing was sent and it is
   * sent now, under the same delivery ID. Pending with no attempt recorded,
   * the first request stopped between the two (or is still under way): it
   * is sent now once that request can no longer be running, else 409
   * (`completeTestSend`).
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
    if (delivery.status === "pending" && delivery.attempts.length === 0) {
      const test = { ...endpoint, ...tenant };
      return completeTestSend(c.env, c.var.db, test, deliveryId, c.var.idempotency);
    }
    return answerFrom(delivery);
  },
});
