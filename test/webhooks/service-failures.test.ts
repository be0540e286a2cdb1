import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { installResolver } from "../../src/webhooks/resolve";
import { answerDns, fakeResolver, RECEIVER_ADDRESS } from "../helpers/dns";
import { idOfKey, newEncryptionKey } from "../helpers/encryption";
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
  ownFailureLine,
  planData,
  RecordingQueue,
  receiver,
  runBatch,
  useReceivers,
} from "../helpers/webhooks";

useReceivers();
afterEach(() => vi.restoreAllMocks());

const HOUR = 3600 * 1000;

/** Error lines written while `run` ran, parsed; info lines are dropped. */
async function errorsOf(run: () => Promise<unknown>) {
  const lines: Record<string, unknown>[] = [];
  vi.spyOn(console, "log").mockImplementation(() => {});
  vi.spyOn(console, "error").mockImplementation((line: unknown) =>
    lines.push(JSON.parse(String(line))),
  );
  await run();
  vi.restoreAllMocks();
  return lines;
}

// Endpoints of these tests are sealed under the test env's key; a worker
// restarted with another key alone (no ENCRYPTION_KEYS_PREVIOUS) cannot open them.
const otherKeyOnly = { ENCRYPTION_KEY: newEncryptionKey() };

describe("deliveries the service itself cannot make", () => {
  it("are the service's failure, kept pending past 24 hours, and delivered once the key is back", async () => {
    const r = receiver();
    const orgId = uniqueOrg();
    // Failing for 100 hours already: one more failure of its own would deactivate it.
    const failingSince = Date.now() - 100 * HOUR;
    const endpoint = await createEndpoint({ orgId, url: r.url, failingSince });
    const eventId = await insertEvent({ orgId, type: "plan.updated", data: planData() });
    const queue = new RecordingQueue();
    const keyId = await idOfKey(env.ENCRYPTION_KEY ?? "");
    const why = `not sent: the service cannot decrypt this endpoint's signing secret (key id ${keyId} is not in ENCRYPTION_KEY/ENCRYPTION_KEYS_PREVIOUS)`;

    const first = await errorsOf(() =>
      runBatch([eventMessage(eventId)], { queue, bindings: otherKeyOnly }),
    );
    const [delivery] = await deliveriesOf(eventId);
    if (!delivery) throw new Error("no delivery");
    expect(r.requests).toHaveLength(0);
    expect(delivery).toMatchObject({ status: "pending", attempts: 1, completed_at: null });
    expect(first).toEqual([
      expect.objectContaining(
        ownFailureLine({ deliveryId: delivery.id, endpointId: endpoint.id }, why),
      ),
    ]);
    expect(await attemptsOf(delivery.id)).toEqual([
      expect.objectContaining({ attempt: 1, status_code: null, error: why }),
    ]);

    // A day and more later, still the service's fault: retried (at most an hour apart), not given up.
    await makeDue(delivery.id, { createdAt: Date.now() - 25 * HOUR });
    const before = Date.now();
    await errorsOf(() =>
      runBatch([deliveryMessage(delivery.id)], { queue, bindings: otherKeyOnly }),
    );
    const [later] = await deliveriesOf(eventId);
    expect(later).toMatchObject({ status: "pending", attempts: 2, completed_at: null });
    expect(later?.next_attempt_at).toBeGreaterThan(before);
    expect(later?.next_attempt_at).toBeLessThanOrEqual(Date.now() + HOUR);
    expect(await endpointState(endpoint.id)).toMatchObject({
      is_active: 1,
      failing_since: failingSince,
    });

    // The key is restored (here as the previous one): the same delivery goes out, signed.
    await makeDue(delivery.id);
    const restored = { ...otherKeyOnly, ENCRYPTION_KEYS_PREVIOUS: env.ENCRYPTION_KEY };
    await errorsOf(() => runBatch([deliveryMessage(delivery.id)], { queue, bindings: restored }));
    expect((await deliveriesOf(eventId))[0]).toMatchObject({ status: "succeeded", attempts: 3 });
    const [req] = r.requests;
    expect(req && standardVerifies(req.body, req.headers, endpoint.secret)).toBe(true);
  });

  it("never sends a secret copied from another endpoint", async () => {
    const orgId = uniqueOrg();
    const a = await createEndpoint({ orgId, url: receiver().url, events: ["plan.created"] });
    const r = receiver();
    const b = await createEndpoint({ orgId, url: r.url, events: ["plan.updated"] });
    await env.DB.prepare(
      "UPDATE webhook_endpoints SET secret = (SELECT secret FROM webhook_endpoints WHERE id = ?) WHERE id = ?",
    )
      .bind(a.id, b.id)
      .run();
    const eventId = await insertEvent({ orgId, type: "plan.updated", data: planData() });
    const errors = await errorsOf(() => runBatch([eventMessage(eventId)]));
    const [delivery] = await deliveriesOf(eventId);
    expect(r.requests).toHaveLength(0);
    expect(delivery).toMatchObject({ endpoint_id: b.id, status: "pending" });
    const error = `not sent: the service cannot decrypt this endpoint's signing secret (it does not authenticate: altered, or not sealed for this endpoint)`;
    expect(await attemptsOf(delivery?.id ?? "")).toEqual([expect.objectContaining({ error })]);
    expect(errors).toEqual([expect.objectContaining({ endpointId: b.id, cause: error })]);
    expect(await endpointState(b.id)).toMatchObject({ is_active: 1, failing_since: null });
  });

  it("answers a test send with success false, and its attempt says why", async () => {
    const api = await client();
    const r = receiver();
    const endpoint = await createEndpoint({ orgId: api.orgId, url: r.url });
    vi.spyOn(console, "log").mockImplementation(() => {});
    vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await api.call<{ data: { success: boolean; deliveryId: string } }>(
      "POST",
      `/webhooks/${endpoint.id}/test`,
      { bindings: { ENCRYPTION_KEY: undefined } },
    );
    expect(res.status).toBe(200);
    expect(res.body.data.success).toBe(false);
    expect(r.requests).toHaveLength(0);
    const deliveryId = res.body.data.deliveryId;
    const delivery = await env.HISTORY_DB.prepare("SELECT status FROM deliveries WHERE id = ?")
      .bind(deliveryId)
      .first<{ status: string }>();
    expect(delivery?.status).toBe("failed");
    expect(await attemptsOf(deliveryId)).toEqual([
      expect.objectContaining({
        error:
          "not sent: the service cannot decrypt this endpoint's signing secret (ENCRYPTION_KEY is not set)",
      }),
    ]);
    expect(await endpointState(endpoint.id)).toMatchObject({ is_active: 1, failing_since: null });
  });
});

describe("a target whose address the service cannot look up", () => {
  const lookupFailed = "not sent: url: the lookup of its address failed";

  it("is the service's failure (a DoH outage, a wrong WEBHOOK_DOH_URL): kept pending past 24 hours, and delivered once lookups work", async () => {
    const r = receiver();
    const host = new URL(r.url).hostname;
    const orgId = uniqueOrg();
    // Failing for 100 hours, 9 times in a row: one more failure counted would deactivate it.
    const failingSince = Date.now() - 100 * HOUR;
    const endpoint = await createEndpoint({ orgId, url: r.url, failingSince, failedAttempts: 9 });
    const eventId = await insertEvent({ orgId, type: "plan.updated", data: planData() });
    const queue = new RecordingQueue();
    answerDns(host, "fail");

    const first = await errorsOf(() => runBatch([eventMessage(eventId)], { queue }));
    const [delivery] = await deliveriesOf(eventId);
    if (!delivery) throw new Error("no delivery");
    expect(delivery).toMatchObject({ status: "pending", attempts: 1, completed_at: null });
    // An error line, as for the service's other failures: an operator must fix it.
    expect(first).toEqual([
      expect.objectContaining(
        ownFailureLine({ deliveryId: delivery.id, endpointId: endpoint.id }, lookupFailed),
      ),
    ]);

    // A day and more later, lookups still failing: retried (at most an hour apart), not given up.
    await makeDue(delivery.id, { createdAt: Date.now() - 25 * HOUR });
    const before = Date.now();
    const second = await errorsOf(() => runBatch([deliveryMessage(delivery.id)], { queue }));
    expect(second).toEqual([expect.objectContaining({ level: "error", cause: lookupFailed })]);
    const [later] = await deliveriesOf(eventId);
    expect(later).toMatchObject({ status: "pending", attempts: 2, completed_at: null });
    expect(later?.next_attempt_at).toBeGreaterThan(before);
    expect(later?.next_attempt_at).toBeLessThanOrEqual(Date.now() + HOUR);
    expect(await attemptsOf(delivery.id)).toEqual([
      expect.objectContaining({ attempt: 1, status_code: null, error: lookupFailed }),
      expect.objectContaining({ attempt: 2, status_code: null, error: lookupFailed }),
    ]);
    expect(r.requests).toHaveLength(0);
    // Never counted against the endpoint.
    expect(await endpointState(endpoint.id)).toMatchObject({
      is_active: 1,
      failing_since: failingSince,
      failed_attempts: 9,
    });

    // The lookup service answers again: the same delivery goes out.
    answerDns(host, [RECEIVER_ADDRESS]);
    await makeDue(delivery.id);
    expect(await errorsOf(() => runBatch([deliveryMessage(delivery.id)], { queue }))).toEqual([]);
    expect((await deliveriesOf(eventId))[0]).toMatchObject({ status: "succeeded", attempts: 3 });
    expect(r.requests).toHaveLength(1);
  });

  it("a SERVFAIL, which a broken zone gives too, counts against no one but is given up after 24 hours", async () => {
    const r = receiver();
    const orgId = uniqueOrg();
    const endpoint = await createEndpoint({ orgId, url: r.url });
    const host = new URL(r.url).hostname;
    // test/helpers/dns.ts has no SERVFAIL: this host gets one, every other name its usual answer.
    installResolver((name) =>
      name === host ? Promise.resolve({ status: "servfail" }) : fakeResolver(name),
    );
    try {
      const eventId = await insertEvent({ orgId, type: "plan.updated", data: planData() });
      const queue = new RecordingQueue();
      expect(await errorsOf(() => runBatch([eventMessage(eventId)], { queue }))).toEqual([]);
      const [delivery] = await deliveriesOf(eventId);
      if (!delivery) throw new Error("no delivery");
      expect(delivery).toMatchObject({ status: "pending", attempts: 1 });
      await makeDue(delivery.id, { createdAt: Date.now() - 25 * HOUR });
      const given = await errorsOf(() => runBatch([deliveryMessage(delivery.id)], { queue }));
      expect(given).toEqual([
        expect.objectContaining({ level: "warn", message: "webhook delivery given up" }),
      ]);
      expect((await deliveriesOf(eventId))[0]).toMatchObject({ status: "failed", attempts: 2 });
      expect(await attemptsOf(delivery.id)).toEqual([
        expect.objectContaining({
          error: "not sent: url: the lookup of its address failed: its DNS answers SERVFAIL",
        }),
        expect.objectContaining({ attempt: 2 }),
      ]);
      expect(r.requests).toHaveLength(0);
      expect(await endpointState(endpoint.id)).toMatchObject({
        failing_since: null,
        failed_attempts: 0,
      });
    } finally {
      installResolver(fakeResolver);
    }
  });
});
