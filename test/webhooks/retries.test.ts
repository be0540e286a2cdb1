import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { encrypt, sealedFor } from "../../src/lib/crypto";
import {
  DEACTIVATE_AFTER_FAILURES,
  DEACTIVATE_AFTER_MS,
  RETRY_WINDOW_MS,
} from "../../src/webhooks/schedule";
import { changedBefore, faultyD1 } from "../helpers/faulty-d1";
import { client } from "../helpers/http";
import { uniqueOrg } from "../helpers/keys";
import { standardVerifies } from "../helpers/verify";
import {
  attemptsOf,
  createEndpoint,
  deliveriesOf,
  deliveryMessage,
  endpointState,
  eventMessage,
  insertEvent,
  makeDue,
  planData,
  RecordingQueue,
  receiver,
  runBatch,
  useReceivers,
} from "../helpers/webhooks";

useReceivers();

const HOUR = 3600 * 1000;

/** Log lines written while `run` ran, parsed, by message. */
async function logsOf(run: () => Promise<unknown>) {
  const lines: Record<string, unknown>[] = [];
  const capture = (value: unknown) => lines.push(JSON.parse(String(value)));
  vi.spyOn(console, "log").mockImplementation(capture);
  vi.spyOn(console, "error").mockImplementation(capture);
  await run();
  vi.restoreAllMocks();
  return lines;
}

/** An organization with one endpoint at `r`, and one event for it, run once through the consumer. */
async function firstAttempt(r: ReturnType<typeof receiver>, queue = new RecordingQueue()) {
  const orgId = uniqueOrg();
  const endpoint = await createEndpoint({ orgId, url: r.url });
  const eventId = await insertEvent({ orgId, type: "plan.updated", data: planData() });
  await logsOf(() => runBatch([eventMessage(eventId)], { queue }));
  const [delivery] = await deliveriesOf(eventId);
  if (!delivery) throw new Error("no delivery");
  return { orgId, endpoint, eventId, delivery, queue };
}

afterEach(() => vi.restoreAllMocks());

describe("retries", () => {
  it("retries a non-2xx answer within 30 s through the queue, with the same event id, until it succeeds", async () => {
    const r = receiver({ status: 500, body: "boom" });
    const before = Date.now();
    const { endpoint, eventId, delivery, queue } = await firstAttempt(r);

    expect(delivery).toMatchObject({ status: "pending", attempts: 1, completed_at: null });
    expect(delivery.next_attempt_at).toBeGreaterThanOrEqual(before + 30_000);
    expect(queue.drain()).toEqual([
      { body: { kind: "delivery", deliveryId: delivery.id }, delaySeconds: 30 },
    ]);
    expect((await endpointState(endpoint.id))?.failing_since).not.toBeNull();

    // The retry message arrives early (or twice): not due yet, nothing is sent.
    await runBatch([deliveryMessage(delivery.id)], { queue });
    expect(r.requests).toHaveLength(1);

    await makeDue(delivery.id);
    await logsOf(() => runBatch([deliveryMessage(delivery.id)], { queue }));
    expect(queue.drain()).toEqual([
      { body: { kind: "delivery", deliveryId: delivery.id }, delaySeconds: 60 },
    ]);

    r.reply({ status: 204, body: "" });
    await makeDue(delivery.id);
    await runBatch([deliveryMessage(delivery.id), deliveryMessage(delivery.id)], { queue });
    expect(queue.drain()).toEqual([]);

    expect(r.requests).toHaveLength(3);
    expect(new Set(r.requests.map((q) => q.headers.get("webhook-id")))).toEqual(new Set([eventId]));
    expect(new Set(r.requests.map((q) => q.headers.get("x-commet-event-id")))).toEqual(
      new Set([eventId]),
    );
    expect(new Set(r.requests.map((q) => q.body)).size).toBe(1);
    const [after] = await deliveriesOf(eventId);
    expect(after).toMatchObject({ status: "succeeded", attempts: 3, next_attempt_at: null });
    expect((await attemptsOf(delivery.id)).map((a) => [a.attempt, a.status_code])).toEqual([
      [1, 500],
      [2, 500],
      [3, 204],
    ]);
    expect((await attemptsOf(delivery.id))[0]?.response_excerpt).toBe("boom");
    expect((await endpointState(endpoint.id))?.failing_since).toBeNull();
  });

  it("counts no answer within the timeout as a failed attempt", async () => {
    const r = receiver("hang");
    const orgId = uniqueOrg();
    await createEndpoint({ orgId, url: r.url });
    const eventId = await insertEvent({ orgId, type: "plan.created", data: planData() });
    const queue = new RecordingQueue();
    await logsOf(() => runBatch([eventMessage(eventId)], { queue, options: { timeoutMs: 50 } }));
    const [delivery] = await deliveriesOf(eventId);
    expect(delivery).toMatchObject({ status: "pending", attempts: 1 });
    expect(await attemptsOf(delivery?.id ?? "")).toMatchObject([
      { status_code: null, error: "no answer within 0.05 s", response_excerpt: null },
    ]);
    expect(queue.sent).toHaveLength(1);
  });

  it("never follows a redirect: a 3xx is a failed attempt", async () => {
    const r = receiver({ status: 302, headers: { location: "https://elsewhere.receiver.test/" } });
    const { delivery } = await firstAttempt(r);
    expect(r.requests).toHaveLength(1);
    expect(r.requests[0]?.redirect).toBe("manual");
    expect(delivery).toMatchObject({ status: "pending", attempts: 1 });
    expect(await attemptsOf(delivery.id)).toMatchObject([
      { status_code: 302, error: "redirects are not followed" },
    ]);
  });

  it("records a network error as a failed attempt", async () => {
    const r = receiver("network-error");
    const { delivery } = await firstAttempt(r);
    expect(await attemptsOf(delivery.id)).toMatchObject([
      { status_code: null, error: "TypeError: Network connection lost." },
    ]);
  });

  it("gives up after 24 hours of failures, says so, and later events still flow", async () => {
    const r = receiver({ status: 503 });
    const { orgId, endpoint, eventId, delivery, queue } = await firstAttempt(r);
    queue.drain();
    await makeDue(delivery.id, { createdAt: Date.now() - RETRY_WINDOW_MS });
    const logs = await logsOf(() => runBatch([deliveryMessage(delivery.id)], { queue }));

    expect(queue.drain()).toEqual([]);
    const [after] = await deliveriesOf(eventId);
    expect(after).toMatchObject({ status: "failed", attempts: 2, next_attempt_at: null });
    expect(after?.completed_at).not.toBeNull();
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: "warn",
        message: "webhook delivery given up",
        deliveryId: delivery.id,
        endpointId: endpoint.id,
        statusCode: 503,
      }),
    );
    // Nothing brings it back.
    await runBatch([deliveryMessage(delivery.id)], { queue });
    expect(r.requests).toHaveLength(2);

    r.reply({ status: 200 });
    const next = await insertEvent({ orgId, type: "plan.deleted", data: planData() });
    await runBatch([eventMessage(next)], { queue });
    expect(r.requests).toHaveLength(3);
    expect((await deliveriesOf(next))[0]).toMatchObject({ status: "succeeded" });
  });
});

describe("endpoint health", () => {
  it("deactivates an endpoint whose attempts have all failed for 72 hours, 10 in a row, with a log line", async () => {
    const orgId = uniqueOrg();
    const r = receiver({ status: 500 });
    const endpoint = await createEndpoint({
      orgId,
      url: r.url,
      failingSince: Date.now() - DEACTIVATE_AFTER_MS - 60_000,
      failedAttempts: DEACTIVATE_AFTER_FAILURES - 1,
    });
    const eventId = await insertEvent({ orgId, type: "plan.created", data: planData() });
    const queue = new RecordingQueue();
    const logs = await logsOf(() => runBatch([eventMessage(eventId)], { queue }));

    expect((await endpointState(endpoint.id))?.is_active).toBe(0);
    expect(logs).toContainEqual(
      expect.objectContaining({
        level: "warn",
        message:
          "webhook endpoint deactivated: every attempt failed for 72 hours, at least 10 in a row",
        orgId,
        endpointId: endpoint.id,
      }),
    );

    // Later events skip it; its pending retry is dropped without a POST.
    const later = await insertEvent({ orgId, type: "plan.updated", data: planData() });
    await runBatch([eventMessage(later)], { queue });
    expect(await deliveriesOf(later)).toEqual([]);
    const [pending] = await deliveriesOf(eventId);
    await makeDue(pending?.id ?? "");
    await logsOf(() => runBatch([deliveryMessage(pending?.id ?? "")], { queue }));
    expect(r.requests).toHaveLength(1);
    expect((await deliveriesOf(eventId))[0]).toMatchObject({ status: "dropped", attempts: 1 });
  });

  it("keeps an endpoint failing for less than 72 hours, and a success clears its failures", async () => {
    const orgId = uniqueOrg();
    const r = receiver({ status: 500 });
    const since = Date.now() - DEACTIVATE_AFTER_MS + HOUR;
    const endpoint = await createEndpoint({
      orgId,
      url: r.url,
      failingSince: since,
      failedAttempts: 40,
    });
    const first = await insertEvent({ orgId, type: "plan.created", data: planData() });
    await logsOf(() => runBatch([eventMessage(first)]));
    expect(await endpointState(endpoint.id)).toMatchObject({
      is_active: 1,
      failing_since: since,
      failed_attempts: 41,
    });

    r.reply({ status: 200 });
    const second = await insertEvent({ orgId, type: "plan.created", data: planData() });
    await runBatch([eventMessage(second)]);
    expect(await endpointState(endpoint.id)).toMatchObject({
      is_active: 1,
      failing_since: null,
      failed_attempts: 0,
    });
  });

  it("keeps an endpoint whose one failure follows a quiet period: the old outage is not its streak", async () => {
    const orgId = uniqueOrg();
    const r = receiver({ status: 503 });
    const since = Date.now() - DEACTIVATE_AFTER_MS - HOUR;
    // An outage 73 hours ago: a day of retries, all failed, then nothing was sent for 49 hours.
    const endpoint = await createEndpoint({
      orgId,
      url: r.url,
      failingSince: since,
      failedAttempts: 30,
      lastFailedAt: since + 24 * HOUR,
    });
    const eventId = await insertEvent({ orgId, type: "plan.created", data: planData() });
    const logs = await logsOf(() => runBatch([eventMessage(eventId)]));
    const state = await endpointState(endpoint.id);
    expect(state).toMatchObject({ is_active: 1, failed_attempts: 1 });
    // A new streak, starting with this failure.
    expect(state?.failing_since).toBeGreaterThan(Date.now() - HOUR);
    expect(state?.last_failed_at).toBe(state?.failing_since);
    expect(logs.map((l) => l.message)).not.toContain(
      "webhook endpoint deactivated: every attempt failed for 72 hours, at least 10 in a row",
    );
  });

  it("deactivates on the tenth failure in a row of a 72-hour streak, not before", async () => {
    const orgId = uniqueOrg();
    const r = receiver({ status: 503 });
    const since = Date.now() - DEACTIVATE_AFTER_MS - HOUR;
    const endpoint = await createEndpoint({
      orgId,
      url: r.url,
      failingSince: since,
      failedAttempts: DEACTIVATE_AFTER_FAILURES - 2,
    });
    const ninth = await insertEvent({ orgId, type: "plan.created", data: planData() });
    await logsOf(() => runBatch([eventMessage(ninth)]));
    expect(await endpointState(endpoint.id)).toMatchObject({
      is_active: 1,
      failing_since: since,
      failed_attempts: DEACTIVATE_AFTER_FAILURES - 1,
    });
    const tenth = await insertEvent({ orgId, type: "plan.created", data: planData() });
    await logsOf(() => runBatch([eventMessage(tenth)]));
    expect(await endpointState(endpoint.id)).toMatchObject({
      is_active: 0,
      failed_attempts: DEACTIVATE_AFTER_FAILURES,
    });
  });

  it("starts a new streak when an inactive endpoint is reactivated, and not when an active one is sent isActive: true", async () => {
    const api = await client(undefined, "test", "2026-07-31");
    const since = Date.now() - DEACTIVATE_AFTER_MS - HOUR;
    const off = await createEndpoint({
      orgId: api.orgId,
      url: receiver().url,
      isActive: false,
      failingSince: since,
      failedAttempts: 30,
    });
    const on = await createEndpoint({
      orgId: api.orgId,
      url: receiver().url,
      failingSince: since,
      failedAttempts: 5,
    });
    expect((await api.patch(`/webhooks/${off.id}`, { isActive: true })).status).toBe(200);
    expect((await api.put(`/webhooks/${on.id}`, { isActive: true })).status).toBe(200);
    expect(await endpointState(off.id)).toMatchObject({
      is_active: 1,
      failing_since: null,
      failed_attempts: 0,
    });
    expect(await endpointState(on.id)).toMatchObject({
      is_active: 1,
      failing_since: since,
      failed_attempts: 5,
    });
  });

  it("drops a pending delivery whose endpoint was deleted, without sending it", async () => {
    const r = receiver({ status: 500 });
    const { endpoint, eventId, delivery, queue } = await firstAttempt(r);
    await env.DB.prepare("DELETE FROM webhook_endpoints WHERE id = ?").bind(endpoint.id).run();
    await makeDue(delivery.id);
    await logsOf(() => runBatch([deliveryMessage(delivery.id)], { queue }));
    expect(r.requests).toHaveLength(1);
    expect((await deliveriesOf(eventId))[0]).toMatchObject({ status: "dropped", attempts: 1 });
  });
});

/** The consumer's batch that takes an attempt number (the claim). */
const claimsAttempt = (sql: string[]) =>
  sql.some((s) => s.startsWith('update "deliveries" set "attempts"'));
/** The consumer's batch that creates an event's deliveries (the fan-out). */
const fansOut = (sql: string[]) => sql.some((s) => s.startsWith('insert into "deliveries"'));

const endpointChanges = {
  deactivated: (id: string) =>
    env.DB.prepare("UPDATE webhook_endpoints SET is_active = 0 WHERE id = ?").bind(id).run(),
  deleted: (id: string) =>
    env.DB.prepare("DELETE FROM webhook_endpoints WHERE id = ?").bind(id).run(),
};

// An attempt can wait behind the consumer's POST limiter, and a retry behind
// its delay: the endpoint it read may change meanwhile. What is sent follows
// the endpoint as it is when the attempt is claimed.
describe("an endpoint that changes before its attempt", () => {
  it("re-pointed: the attempt goes to the new URL with the new secret, never to the old one", async () => {
    const orgId = uniqueOrg();
    const before = receiver();
    const after = receiver();
    const endpoint = await createEndpoint({ orgId, url: before.url });
    const replacement = await createEndpoint({ orgId, url: after.url, events: [] });
    const eventId = await insertEvent({ orgId, type: "plan.created", data: planData() });
    // The replacement's secret, sealed for this endpoint (a copied ciphertext would not open here).
    const resealed = await encrypt(env, sealedFor.endpointSecret(endpoint.id), replacement.secret);
    const DB = changedBefore(
      claimsAttempt,
      () =>
        env.DB.prepare("UPDATE webhook_endpoints SET url = ?, secret = ? WHERE id = ?")
          .bind(after.url, resealed, endpoint.id)
          .run(),
      env.HISTORY_DB,
    );
    await runBatch([eventMessage(eventId)], { bindings: { HISTORY_DB: DB } });
    expect(before.requests).toEqual([]);
    expect(after.requests).toHaveLength(1);
    const [request] = after.requests;
    expect(request?.headers.get("webhook-id")).toBe(eventId);
    if (!request) throw new Error("no request");
    expect(standardVerifies(request.body, request.headers, replacement.secret)).toBe(true);
    expect(standardVerifies(request.body, request.headers, endpoint.secret)).not.toBe(true);
    expect((await deliveriesOf(eventId))[0]).toMatchObject({ status: "succeeded", attempts: 1 });
  });

  it.each(Object.keys(endpointChanges) as (keyof typeof endpointChanges)[])(
    "%s before a first attempt: nothing is sent and the delivery ends dropped",
    async (change) => {
      const orgId = uniqueOrg();
      const r = receiver();
      const endpoint = await createEndpoint({ orgId, url: r.url });
      const eventId = await insertEvent({ orgId, type: "plan.created", data: planData() });
      const DB = changedBefore(
        claimsAttempt,
        () => endpointChanges[change](endpoint.id),
        env.HISTORY_DB,
      );
      await logsOf(() => runBatch([eventMessage(eventId)], { bindings: { HISTORY_DB: DB } }));
      expect(r.requests).toEqual([]);
      expect(await deliveriesOf(eventId)).toEqual([
        expect.objectContaining({ status: "dropped", attempts: 0 }),
      ]);
    },
  );

  it("deactivated before a retry: nothing is sent and the delivery ends dropped", async () => {
    const r = receiver({ status: 500 });
    const { endpoint, eventId, delivery, queue } = await firstAttempt(r);
    await makeDue(delivery.id);
    const DB = changedBefore(
      claimsAttempt,
      () => endpointChanges.deactivated(endpoint.id),
      env.HISTORY_DB,
    );
    await logsOf(() =>
      runBatch([deliveryMessage(delivery.id)], { queue, bindings: { HISTORY_DB: DB } }),
    );
    expect(r.requests).toHaveLength(1);
    expect((await deliveriesOf(eventId))[0]).toMatchObject({ status: "dropped", attempts: 1 });
  });

  it.each([
    ["deactivated", endpointChanges.deactivated],
    [
      "unsubscribed",
      (id: string) =>
        env.DB.prepare("UPDATE webhook_endpoints SET events = ? WHERE id = ?")
          .bind(JSON.stringify(["plan.deleted"]), id)
          .run(),
    ],
  ] as const)(
    "%s while the event is handed on: nothing is sent, its delivery ends dropped",
    async (_, change) => {
      const orgId = uniqueOrg();
      const r = receiver();
      const endpoint = await createEndpoint({ orgId, url: r.url });
      const eventId = await insertEvent({ orgId, type: "plan.created", data: planData() });
      const DB = changedBefore(fansOut, () => change(endpoint.id), env.HISTORY_DB);
      // The endpoint was read from the catalog before the hand-off; the change
      // lands before the history's batch, so the delivery exists, and its
      // attempt, reading the endpoint again, sends nothing.
      await logsOf(() => runBatch([eventMessage(eventId)], { bindings: { HISTORY_DB: DB } }));
      expect(r.requests).toEqual([]);
      expect(await deliveriesOf(eventId)).toEqual([
        expect.objectContaining({ status: "dropped", attempts: 0 }),
      ]);
    },
  );
});

describe("when D1 fails", () => {
  it("retries the message with backoff and loses nothing", async () => {
    const orgId = uniqueOrg();
    const r = receiver();
    await createEndpoint({ orgId, url: r.url });
    const eventId = await insertEvent({ orgId, type: "plan.created", data: planData() });
    const broken = faultyD1(() => "fail");
    let result: Awaited<ReturnType<typeof runBatch>> | undefined;
    const logs = await logsOf(async () => {
      result = await runBatch([eventMessage(eventId)], { bindings: { DB: broken } });
    });
    expect(result?.explicitAcks).toEqual([]);
    expect(result?.retryMessages).toHaveLength(1);
    expect(logs).toContainEqual(
      expect.objectContaining({ level: "error", message: "webhook message failed, retried" }),
    );
    expect(r.requests).toEqual([]);

    await runBatch([eventMessage(eventId)]);
    expect(r.requests).toHaveLength(1);
  });
});
