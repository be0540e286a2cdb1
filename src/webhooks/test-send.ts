import { Db } from "../db/database";
import type { WebhookEndpointRow } from "../db/schema";
import type { Bindings } from "../env";
import { newId } from "../lib/ids";
import { attemptDelivery } from "./attempt";
import { insertTestSend } from "./delivery-queries";
import { TEST_EVENT } from "./events";
import type { WebhookDeliveryRecord } from "./record";
import { ATTEMPT_TIMEOUT_MS } from "./schedule";

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
};

/**
 * `POST /webhooks/{id}/test`: records a `webhook.test` event (already
 * dispatched, so nothing fans it out) and its delivery, POSTs it now (also to
 * an inactive endpoint), waits for the answer or the 10 s timeout, and
 * records the attempt. No retries: the delivery ends succeeded or failed.
 * The answer counts toward the endpoint's health like any other attempt.
 * Returns null if the endpoint no longer exists (deleted meanwhile).
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
  const recorded = await insertTestSend(
    db,
    tenant,
    { eventId: event.id, deliveryId, endpointId: endpoint.id },
    { type: event.type, data: event.data },
    now,
  );
  if (!recorded) return null;
  const result = await attemptDelivery(
    env,
    db,
    { tenant, deliveryId, attempt: 1, deliveryCreatedAt: now, endpoint, event },
    { timeoutMs: options.timeoutMs ?? ATTEMPT_TIMEOUT_MS, retries: false },
  );
  return { deliveryId, success: result.ok, deliveredAt: result.attemptedAt };
}
