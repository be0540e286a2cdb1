import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Db } from "../../src/db/database";
import type { WebhookEndpointRow } from "../../src/db/schema";
import { insertTestSend } from "../../src/history/deliveries";
import { KeyClaim, KeyTaken } from "../../src/idempotency/claim";
import { IN_FLIGHT_MS } from "../../src/idempotency/records";
import { newId } from "../../src/lib/ids";
import { TEST_EVENT } from "../../src/webhooks/events";
import { claimEndpoint } from "../../src/webhooks/queries";
import { ATTEMPT_LEASE_MS, ENDPOINT_MAX_IN_FLIGHT } from "../../src/webhooks/schedule";
import { sendTestEvent } from "../../src/webhooks/test-send";
import { faultyD1, firstOnly, marksFinished, storesResponse } from "../helpers/faulty-d1";
import { type Client, client } from "../helpers/http";
import { uniqueOrg } from "../helpers/keys";
import { commetVerifies, standardVerifies } from "../helpers/verify";
import {
  attemptsOf,
  createEndpoint,
  deliveriesOf,
  deliveryMessage,
  endpointState,
  eventMessage,
  occupySlots,
  RecordingQueue,
  receiver,
  runBatch,
  type TestEndpoint,
  useReceivers,
} from "../helpers/webhooks";

useReceivers();
afterEach(() => vi.restoreAllMocks());

/** The endpoint row as the lead's operation reads it (secret still encrypted). */
async function row(endpoint: TestEndpoint): Promise<WebhookEndpointRow> {
  const r = await env.DB.prepare(
    `SELECT id, org_id AS orgId, mode, url, events, description, is_active AS isActive,
            api_version AS apiVersion, secret, failing_since AS failingSince,
            created_at AS createdAt, updated_at AS updatedAt
     FROM webhook_endpoints WHERE id = ?`,
  )
    .bind(endpoint.id)
    .first<WebhookEndpointRow>();
  if (!r) throw new Error("no endpoint");
  return r;
}

/** A test send's event, in the history (test events never pass through the outbox). */
async function eventOfDelivery(deliveryId: string) {
  return env.HISTORY_DB.prepare(
    "SELECT e.id, e.type FROM events e JOIN deliveries d ON d.event_id = e.id WHERE d.id = ?",
  )
    .bind(deliveryId)
    .first<{ id: string; type: string }>();
}

/** A test send as the route makes it, once its first write read the endpoint. */
const send = (endpoint: WebhookEndpointRow, options?: Parameters<typeof sendTestEvent>[3]) =>
  sendTestEvent(env, endpoint, newId("whdl"), options);

const keyedClaim = (orgId: string, endpointId: string, key: string) =>
  new KeyClaim({
    tenant: { orgId, mode: "test" },
    key,
    method: "POST",
    path: `/api/v1/webhooks/${endpointId}/test`,
    bodyHash: "h",
    version: "2026-07-31",
    claimId: crypto.randomUUID(),
  });

describe("sendTestEvent", () => {
  it("POSTs a signed webhook.test event now, records it, and says it was delivered", async () => {
    const orgId = uniqueOrg();
    const r = receiver({ status: 200, body: "thanks" });
    const endpoint = await createEndpoint({ orgId, url: r.url, events: ["plan.created"] });
    const before = Date.now();
    const result = await send(await row(endpoint));

    expect(result).toEqual({
      deliveryId: expect.stringMatching(/^whdl_/),
      success: true,
      deliveredAt: expect.any(Number),
    });
    expect(result?.deliveredAt).toBeGreaterThanOrEqual(before);
    expect(r.requests).toHaveLength(1);
    const [req] = r.requests;
    const body = JSON.parse(req?.body ?? "{}");
    expect(body).toEqual({
      id: expect.stringMatching(/^whev_/),
      event: "webhook.test",
      timestamp: expect.any(String),
      organizationId: orgId,
      mode: "sandbox",
      apiVersion: "2026-07-31",
      data: {
        object: "webhook_test",
        endpointId: endpoint.id,
        message: "A test event, sent on request. Nothing changed.",
      },
      previousAttributes: null,
    });
    expect(req?.headers.get("webhook-id")).toBe(body.id);
    expect(
      commetVerifies(
        req?.body ?? "",
        req?.headers.get("x-commet-signature") ?? null,
        endpoint.secret,
      ),
    ).toBe(true);
    expect(standardVerifies(req?.body ?? "", req?.headers ?? {}, endpoint.secret)).toBe(true);

    const deliveryId = result?.deliveryId ?? "";
    const event = await eventOfDelivery(deliveryId);
    expect(event).toMatchObject({ id: body.id, type: "webhook.test" });
    expect(
      await env.DB.prepare("SELECT count(*) AS n FROM webhook_events WHERE id = ?")
        .bind(body.id)
        .first<{ n: number }>(),
    ).toEqual({ n: 0 });
    expect(await deliveriesOf(body.id)).toMatchObject([
      { id: deliveryId, status: "succeeded", attempts: 1, next_attempt_at: null },
    ]);
    expect(await attemptsOf(deliveryId)).toMatchObject([
      { attempt: 1, status_code: 200, response_excerpt: "thanks" },
    ]);

    // Its event is never fanned out, even if a message for it ever came.
    await runBatch([eventMessage(body.id)]);
    expect(r.requests).toHaveLength(1);
    expect(await deliveriesOf(body.id)).toHaveLength(1);
  });

  it("sends to an inactive endpoint too, in its pinned version", async () => {
    const orgId = uniqueOrg();
    const r = receiver();
    const endpoint = await createEndpoint({
      orgId,
      mode: "live",
      url: r.url,
      isActive: false,
      apiVersion: "2026-07-11",
    });
    const result = await send(await row(endpoint));
    expect(result?.success).toBe(true);
    expect(JSON.parse(r.requests[0]?.body ?? "{}")).toMatchObject({
      mode: "live",
      apiVersion: "2026-07-11",
    });
    expect((await endpointState(endpoint.id))?.is_active).toBe(0);
  });

  it("reports a failure or a timeout as success: false, without retrying", async () => {
    const orgId = uniqueOrg();
    const r = receiver({ status: 404, body: "no such hook" });
    const endpoint = await createEndpoint({ orgId, url: r.url });
    vi.spyOn(console, "log").mockImplementation(() => {});
    const failed = await send(await row(endpoint));
    expect(failed?.success).toBe(false);
    const [delivery] = await deliveriesOf(
      (await eventOfDelivery(failed?.deliveryId ?? ""))?.id ?? "",
    );
    expect(delivery).toMatchObject({ status: "failed", attempts: 1, next_attempt_at: null });
    expect(await attemptsOf(failed?.deliveryId ?? "")).toMatchObject([
      { status_code: 404, response_excerpt: "no such hook" },
    ]);

    r.reply("hang");
    const timedOut = await send(await row(endpoint), { timeoutMs: 50 });
    expect(timedOut?.success).toBe(false);
    expect(await attemptsOf(timedOut?.deliveryId ?? "")).toMatchObject([
      { status_code: null, error: "no answer within 0.05 s" },
    ]);
    expect(r.requests).toHaveLength(2);
  });

  it("finds no endpoint once it was deleted, and claims no Idempotency-Key for it", async () => {
    const orgId = uniqueOrg();
    const endpoint = await createEndpoint({ orgId, url: receiver().url });
    await env.DB.prepare("DELETE FROM webhook_endpoints WHERE id = ?").bind(endpoint.id).run();
    const claim = keyedClaim(orgId, endpoint.id, "test-send-gone");
    const db = new Db(env.DB).with({ claim });
    expect(await claimEndpoint(db, { orgId, mode: "test" }, endpoint.id)).toBeNull();
    expect(claim.state).toBe("not_claimed");
  });

  it("carries a request's Idempotency-Key claim in its first write: the same key never sends twice", async () => {
    const orgId = uniqueOrg();
    const r = receiver();
    const { id } = await createEndpoint({ orgId, url: r.url });
    const tenant = { orgId, mode: "test" as const };
    const first = keyedClaim(orgId, id, "test-send-1");
    const deliveryId = newId("whdl");
    const db = new Db(env.DB).with({ claim: first });
    const endpoint = await claimEndpoint(db, tenant, id, deliveryId);
    expect(first.state).toBe("claimed");
    const sent = await sendTestEvent(
      env,
      { ...tenant, ...(endpoint as WebhookEndpointRow) },
      deliveryId,
      { db },
    );
    const claim = await env.DB.prepare(
      "SELECT resource_id FROM idempotency_keys WHERE org_id = ? AND key = 'test-send-1'",
    )
      .bind(orgId)
      .first<{ resource_id: string }>();
    expect(claim?.resource_id).toBe(sent.deliveryId);

    await expect(
      claimEndpoint(
        new Db(env.DB).with({ claim: keyedClaim(orgId, id, "test-send-1") }),
        tenant,
        id,
      ),
    ).rejects.toBeInstanceOf(KeyTaken);
    expect(r.requests).toHaveLength(1);
  });

  it("takes one of the endpoint's 4 in-flight slots: at the bound it waits briefly, then sends nothing and says why", async () => {
    const orgId = uniqueOrg();
    const r = receiver();
    const endpoint = await createEndpoint({ orgId, url: r.url });
    const busy = await occupySlots(endpoint, ENDPOINT_MAX_IN_FLIGHT);
    const refused = await send(await row(endpoint), { slotRetryMs: 1 });
    expect(refused).toEqual({
      deliveryId: expect.stringMatching(/^whdl_/),
      success: false,
      deliveredAt: expect.any(Number),
    });
    expect(r.requests).toEqual([]);
    const [attempt] = await attemptsOf(refused?.deliveryId ?? "");
    expect(attempt).toMatchObject({ attempt: 1, status_code: null, duration_ms: 0 });
    expect(attempt?.error).toBe(
      "not sent: 4 deliveries were already being sent to this endpoint; try again shortly",
    );
    // Not the endpoint's failure.
    expect(await endpointState(endpoint.id)).toMatchObject({
      failing_since: null,
      failed_attempts: 0,
    });

    // A lease that ended (its worker died) frees its slot; the test send takes it and gives it back.
    await env.HISTORY_DB.prepare("UPDATE deliveries SET sending_until = ? WHERE id = ?")
      .bind(Date.now() - 1, busy[0] ?? "")
      .run();
    const sent = await send(await row(endpoint), { slotRetryMs: 1 });
    expect(sent?.success).toBe(true);
    expect(r.requests).toHaveLength(1);
    const slot = await env.HISTORY_DB.prepare("SELECT sending_until FROM deliveries WHERE id = ?")
      .bind(sent?.deliveryId ?? "")
      .first<{ sending_until: number | null }>();
    expect(slot?.sending_until).toBeNull();
  });
});

describe("a test send whose worker died before it settled", () => {
  it("is found overdue after its lease and ended failed, never sent later", async () => {
    const orgId = uniqueOrg();
    const r = receiver({ status: 200 });
    const endpoint = await createEndpoint({ orgId, url: r.url });
    const db = new Db(env.HISTORY_DB);
    const now = Date.now();
    const ids = { eventId: newId("whev", now), deliveryId: newId("whdl", now) };
    // What the test send records before its POST; the worker then died.
    await insertTestSend(
      db,
      { orgId, mode: endpoint.mode },
      { ...ids, endpointId: endpoint.id },
      { type: TEST_EVENT, data: "{}" },
      now,
      now + ATTEMPT_LEASE_MS,
    );
    const [pending] = await deliveriesOf(ids.eventId);
    expect(pending).toMatchObject({ status: "pending", next_attempt_at: now + ATTEMPT_LEASE_MS });

    // Past its lease, the sweep's message reaches the consumer.
    await env.HISTORY_DB.prepare("UPDATE deliveries SET next_attempt_at = ? WHERE id = ?")
      .bind(now - 1000, ids.deliveryId)
      .run();
    const warn = vi.spyOn(console, "error").mockImplementation(() => {});
    await runBatch([deliveryMessage(ids.deliveryId)]);
    expect(warn.mock.calls.map(([line]) => JSON.parse(String(line)).message)).toEqual([
      "webhook test send interrupted, ended failed",
    ]);
    expect((await deliveriesOf(ids.eventId))[0]).toMatchObject({ status: "failed" });
    expect(r.requests).toHaveLength(0);
  });
});

describe("a test send through the API", () => {
  it("keyed, after its history write was lost: the retry sends it then, under the same delivery", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const api = await client(undefined, "test", "2026-07-31");
    const r = receiver();
    const endpoint = await createEndpoint({ orgId: api.orgId, url: r.url });
    const historyDown = faultyD1(() => "fail", env.HISTORY_DB);
    const send = (bindings: Partial<Cloudflare.Env> = {}) =>
      api.call<{ deliveryId: string; success: boolean }>("POST", `/webhooks/${endpoint.id}/test`, {
        body: {},
        headers: { "Idempotency-Key": "test-send-lost" },
        bindings,
      });
    expect((await send({ HISTORY_DB: historyDown })).status).toBe(500);
    expect(errors).toHaveBeenCalled();
    expect(r.requests).toEqual([]);

    const retried = await send();
    expect(retried.status).toBe(200);
    expect(retried.headers.get("idempotent-replayed")).toBe("true");
    expect(retried.body.success).toBe(true);
    expect(r.requests).toHaveLength(1);
    const again = await send();
    expect(again.body).toEqual(retried.body);
    expect(r.requests).toHaveLength(1);
  });

  type Sent = { object: string; success: boolean; deliveryId: string; deliveredAt: string };

  /** The same keyed test send each time, with some bindings replaced for one call. */
  const keyedSends =
    (api: Client, endpointId: string, key: string) =>
    (bindings: Partial<Cloudflare.Env> = {}) =>
      api.call<Sent>("POST", `/webhooks/${endpointId}/test`, {
        body: {},
        headers: { "Idempotency-Key": key },
        bindings,
      });

  /** The history as the first send leaves it: its delivery recorded, the answer lost. */
  const historyCommitsThenFails = () => {
    const lost = firstOnly(1, (sql) => sql.some((s) => /insert into "deliveries"/i.test(s)));
    return faultyD1((sql) => (lost(sql) ? "commit-then-fail" : "ok"), env.HISTORY_DB);
  };

  const deliveryOf = (endpointId: string) =>
    env.HISTORY_DB.prepare("SELECT id, status, attempts FROM deliveries WHERE endpoint_id = ?")
      .bind(endpointId)
      .all<{ id: string; status: string; attempts: number }>()
      .then((r) => r.results);

  it("keyed, its history write committed but its answer lost: the SDK's next retry sends it at once, under the same delivery", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const api = await client(undefined, "test", "2026-07-31");
    const r = receiver();
    const endpoint = await createEndpoint({ orgId: api.orgId, url: r.url });
    const send = keyedSends(api, endpoint.id, "test-send-committed");
    expect((await send({ HISTORY_DB: historyCommitsThenFails() })).status).toBe(500);
    expect(errors).toHaveBeenCalled();
    const [pending] = await deliveryOf(endpoint.id);
    expect(pending).toMatchObject({ status: "pending", attempts: 1 });
    expect(r.requests).toEqual([]);

    // The first request answered (its claim is finished): nothing of it can still be running.
    const retried = await send();
    expect(retried.status).toBe(200);
    expect(retried.headers.get("idempotent-replayed")).toBe("true");
    expect(retried.body).toMatchObject({
      object: "webhook_delivery",
      success: true,
      deliveryId: pending?.id,
    });
    expect(r.requests).toHaveLength(1);
    expect(await deliveryOf(endpoint.id)).toEqual([
      { id: pending?.id, status: "succeeded", attempts: 2 },
    ]);
    expect(await attemptsOf(pending?.id ?? "")).toMatchObject([{ attempt: 2, status_code: 200 }]);
    for (let i = 0; i < 2; i++) {
      const again = await send();
      expect(again.status).toBe(200);
      expect(again.body).toEqual(retried.body);
    }
    expect(r.requests).toHaveLength(1);
  });

  it("keyed, its worker gone before it marked its claim finished: 409 while its attempt may still run, then sent", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const api = await client(undefined, "test", "2026-07-31");
    const r = receiver();
    const endpoint = await createEndpoint({ orgId: api.orgId, url: r.url });
    const key = "test-send-unfinished";
    const send = keyedSends(api, endpoint.id, key);
    const unfinished = faultyD1((sql) => (marksFinished(sql) ? "fail" : "ok"));
    const first = await send({ DB: unfinished, HISTORY_DB: historyCommitsThenFails() });
    expect(first.status).toBe(500);
    const [pending] = await deliveryOf(endpoint.id);
    if (!pending) throw new Error("no delivery");

    // Older than any request's own answer, but the test send's POST may still be under way.
    await env.DB.prepare(
      "UPDATE idempotency_keys SET created_at = created_at - ? WHERE org_id = ? AND key = ?",
    )
      .bind(IN_FLIGHT_MS + 1, api.orgId, key)
      .run();
    const early = await send();
    expect(early.status).toBe(409);
    expect(early.body).toMatchObject({ error: { code: "idempotency_in_progress" } });
    expect(early.headers.get("retry-after")).toBe("1");
    expect(r.requests).toEqual([]);

    // Its attempt's lease has ended: it can no longer be running.
    await env.HISTORY_DB.prepare("UPDATE deliveries SET next_attempt_at = ? WHERE id = ?")
      .bind(Date.now() - 1, pending.id)
      .run();
    const late = await send();
    expect(late.status).toBe(200);
    expect(late.headers.get("idempotent-replayed")).toBe("true");
    expect(late.body).toMatchObject({ success: true, deliveryId: pending.id });
    expect(r.requests).toHaveLength(1);
    expect((await send()).body).toEqual(late.body);
    expect(r.requests).toHaveLength(1);
  });

  it("keyed, its answer lost after it was retried by hand: answered from its latest attempt", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    vi.spyOn(console, "log").mockImplementation(() => {});
    const api = await client(undefined, "test", "2026-07-31");
    const r = receiver({ status: 500 });
    const endpoint = await createEndpoint({ orgId: api.orgId, url: r.url });
    const send = keyedSends(api, endpoint.id, "test-send-retried");
    const first = await send({ DB: faultyD1((sql) => (storesResponse(sql) ? "fail" : "ok")) });
    expect(first.body).toMatchObject({ success: false });
    const retry = await api.call(
      "POST",
      `/webhooks/${endpoint.id}/deliveries/${first.body.deliveryId}/retry`,
      { body: {}, bindings: { WEBHOOK_QUEUE: new RecordingQueue() } },
    );
    expect(retry.status).toBe(200);
    const rebuilt = await send();
    expect(rebuilt.status).toBe(200);
    expect(rebuilt.headers.get("idempotent-replayed")).toBe("true");
    expect(rebuilt.body).toEqual(first.body);
    expect(r.requests).toHaveLength(1);
  });

  it("retried by hand: sent once more with the same event, never on a schedule", async () => {
    const api = await client(undefined, "test", "2026-07-31");
    const r = receiver({ status: 500 });
    const endpoint = await createEndpoint({ orgId: api.orgId, url: r.url });
    vi.spyOn(console, "log").mockImplementation(() => {});
    const sent = await api.post<{ deliveryId: string; success: boolean }>(
      `/webhooks/${endpoint.id}/test`,
    );
    expect(sent.body.success).toBe(false);
    const { deliveryId } = sent.body;
    const queue = new RecordingQueue();
    const retry = await api.call(
      "POST",
      `/webhooks/${endpoint.id}/deliveries/${deliveryId}/retry`,
      {
        body: {},
        bindings: { WEBHOOK_QUEUE: queue },
      },
    );
    expect(retry.status).toBe(200);
    r.reply({ status: 200 });
    await runBatch(
      queue.drain().map((m) => m.body),
      { queue },
    );
    expect(r.requests).toHaveLength(2);
    expect(r.requests[1]?.headers.get("webhook-id")).toBe(r.requests[0]?.headers.get("webhook-id"));
    const [delivery] = await deliveriesOf(JSON.parse(r.requests[0]?.body ?? "{}").id);
    expect(delivery).toMatchObject({ status: "succeeded", attempts: 2 });
    expect(queue.drain()).toEqual([]);
  });
});
