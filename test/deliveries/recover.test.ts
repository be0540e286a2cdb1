import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { ID_PATTERN, newId } from "../../src/lib/ids";
import {
  DAY,
  deliveriesOf,
  HOUR,
  insertDelivery,
  insertEvent,
  postRecorded,
  setup,
} from "../helpers/history";
import { client, expectError } from "../helpers/http";
import { newIdempotencyKey, settled } from "../helpers/idempotency";
import { RecordingQueue } from "../helpers/webhooks";

type Recovery = {
  object: string;
  livemode: boolean;
  queued: number;
  hasMore: boolean;
  nextSince?: string;
};

const iso = (ms: number) => new Date(ms).toISOString();

describe("POST /webhooks/{id}/recover", () => {
  it("queues once each what the endpoint never received: failed, dropped, or missed while inactive", async () => {
    const { api, endpoint } = await setup();
    const t = Date.now() - 3 * HOUR;
    const event = (minutes: number, type = "plan.updated") =>
      insertEvent(endpoint, { type, createdAt: t + minutes * 60_000 });
    const failed = await event(1);
    const failedId = await insertDelivery(endpoint, failed, { status: "failed", attempts: 4 });
    const dropped = await event(2, "plan_group.deleted");
    const droppedId = await insertDelivery(endpoint, dropped, { status: "dropped" });
    const missed = await event(3, "plan.created");
    const succeeded = await event(4);
    await insertDelivery(endpoint, succeeded, { status: "succeeded" });
    const pending = await event(5);
    await insertDelivery(endpoint, pending, { status: "pending", attempts: 2 });
    const recoveredBefore = await event(6);
    await insertDelivery(endpoint, recoveredBefore, {
      status: "failed",
      recoveredAt: Date.now() - HOUR,
    });
    // Test sends are not changes: never recovered.
    await event(7, "webhook.test");
    // Outside the range, and another organization's and mode's events.
    const before = await insertEvent(endpoint, { createdAt: t - 60_000 });
    const after = await insertEvent(endpoint, { createdAt: t + 2 * HOUR });
    const stranger = await insertEvent({ orgId: `${api.orgId}x` }, { createdAt: t + 60_000 });
    const live = await insertEvent({ orgId: api.orgId, mode: "live" }, { createdAt: t + 60_000 });

    const before0 = Date.now();
    const { res, sent } = await postRecorded<Recovery>(api, `/webhooks/${endpoint.id}/recover`, {
      since: iso(t),
      until: iso(t + HOUR),
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      object: "webhook_recovery",
      livemode: false,
      queued: 3,
      hasMore: false,
    });

    const rows = await deliveriesOf(endpoint.id);
    // Their own deliveries again, pending and due now, attempts kept counting.
    expect(rows.get(failed.id)).toMatchObject({
      id: failedId,
      status: "pending",
      attempts: 4,
      completed_at: null,
    });
    expect(rows.get(dropped.id)).toMatchObject({
      id: droppedId,
      status: "pending",
      completed_at: null,
    });
    // A new delivery for the event it never had.
    const fresh = rows.get(missed.id);
    expect(fresh).toMatchObject({
      status: "pending",
      attempts: 0,
      type: "plan.created",
      completed_at: null,
    });
    expect(fresh?.id).toMatch(/^whdl_/);
    expect(fresh?.id).toMatch(ID_PATTERN);
    for (const id of [failed.id, dropped.id, missed.id]) {
      const row = rows.get(id);
      expect(row?.next_attempt_at).toBeGreaterThanOrEqual(before0);
      expect(row?.recovered_at).toBe(row?.next_attempt_at);
    }
    expect(rows.get(succeeded.id)?.status).toBe("succeeded");
    expect(rows.get(pending.id)).toMatchObject({ status: "pending", attempts: 2 });
    expect(rows.get(recoveredBefore.id)?.status).toBe("failed");
    for (const e of [before, after, stranger, live]) expect(rows.has(e.id)).toBe(false);
    expect(rows.size).toBe(6);
    expect(sent.map((m) => (m.kind === "delivery" ? m.deliveryId : m.kind)).sort()).toEqual(
      [failedId, droppedId, fresh?.id].sort(),
    );

    // The same range again: nothing new, even once the queued ones failed again.
    await env.HISTORY_DB.prepare("UPDATE deliveries SET status = 'failed' WHERE id = ?")
      .bind(failedId)
      .run();
    const again = await postRecorded<Recovery>(api, `/webhooks/${endpoint.id}/recover`, {
      since: iso(t),
      until: iso(t + HOUR),
    });
    expect(again.res.body).toMatchObject({ queued: 0, hasMore: false });
    expect(again.sent).toEqual([]);
  });

  it("queues only the types the endpoint subscribes to, and only events since it exists", async () => {
    const created = Date.now() - 2 * HOUR;
    const { api, endpoint } = await setup({
      events: ["plan.created", "plan_group.plan_added"],
      createdAt: created,
    });
    const older = await insertEvent(endpoint, { type: "plan.created", createdAt: created - 1 });
    const wanted = await insertEvent(endpoint, { type: "plan.created", createdAt: created });
    const added = await insertEvent(endpoint, {
      type: "plan_group.plan_added",
      createdAt: created + 5,
    });
    const other = await insertEvent(endpoint, { type: "plan.deleted", createdAt: created + 10 });
    const { res } = await postRecorded<Recovery>(api, `/webhooks/${endpoint.id}/recover`, {
      since: iso(created - DAY),
    });
    expect(res.body).toMatchObject({ queued: 2, hasMore: false });
    const rows = await deliveriesOf(endpoint.id);
    expect([...rows.keys()].sort()).toEqual([wanted.id, added.id].sort());
    expect(rows.has(older.id) || rows.has(other.id)).toBe(false);
  });

  it("queues at most 1,000 per call, oldest first, and continues from nextSince", async () => {
    const { api, endpoint } = await setup();
    const t0 = Date.now() - 5 * HOUR;
    const events = Array.from({ length: 1005 }, (_, i) => [newId("whev", t0 + i), t0 + i]);
    await env.HISTORY_DB.prepare(
      `INSERT INTO events (id, org_id, mode, type, data, created_at)
       SELECT json_extract(value, '$[0]'), ?, 'test', 'plan.created', '{}', json_extract(value, '$[1]')
       FROM json_each(?)`,
    )
      .bind(api.orgId, JSON.stringify(events))
      .run();
    // Already delivered ones in between are skipped, not counted.
    const delivered = await insertEvent(endpoint, { createdAt: t0 + 500 });
    await insertDelivery(endpoint, delivered, { status: "succeeded" });

    const first = await postRecorded<Recovery>(api, `/webhooks/${endpoint.id}/recover`, {
      since: iso(t0),
    });
    expect(first.res.body).toEqual({
      object: "webhook_recovery",
      livemode: false,
      queued: 1000,
      hasMore: true,
      // A minute before the next candidate (IDs and times may disagree that
      // much), here no earlier than `since`: the next call skips what is queued.
      nextSince: iso(t0),
    });
    expect(first.sent).toHaveLength(1000);
    const rows = await deliveriesOf(endpoint.id);
    expect(rows.size).toBe(1001);
    expect(rows.has(events[999]?.[0] as string)).toBe(true);
    expect(rows.has(events[1000]?.[0] as string)).toBe(false);

    const next = await postRecorded<Recovery>(api, `/webhooks/${endpoint.id}/recover`, {
      since: first.res.body.nextSince,
    });
    expect(next.res.body).toEqual({
      object: "webhook_recovery",
      livemode: false,
      queued: 5,
      hasMore: false,
    });
    const all = await deliveriesOf(endpoint.id);
    expect(all.size).toBe(1006);
    const queued = [...all.values()].filter((r) => r.recovered_at !== null);
    expect(queued).toHaveLength(1005);
    expect(new Set([...first.sent, ...next.sent].map((m) => JSON.stringify(m))).size).toBe(1005);
  });

  it.each([
    [{}, "since"],
    [{ since: "yesterday" }, "since"],
    [{ since: "2026-07-11" }, "since"],
    [{ since: iso(Date.now() - 40 * DAY), until: iso(Date.now() - 31 * DAY) }, "until"],
    [{ since: iso(Date.now() + HOUR) }, "since"],
    [{ since: iso(Date.now() - HOUR), until: iso(Date.now() + HOUR) }, "until"],
    [{ since: iso(Date.now() - HOUR), until: iso(Date.now() - HOUR) }, "until"],
    [{ since: iso(Date.now() - HOUR), until: iso(Date.now() - 2 * HOUR) }, "until"],
    [{ since: iso(Date.now() - HOUR), until: "now" }, "until"],
    [{ since: iso(Date.now() - HOUR), limit: 10 }, "limit"],
  ])("refuses %j naming %s", async (body, param) => {
    const { api, endpoint } = await setup();
    const { res, sent } = await postRecorded(api, `/webhooks/${endpoint.id}/recover`, body);
    expectError(res, 400, "validation_error", param);
    expect(sent).toEqual([]);
  });

  it("starts a range older than the history kept where the history starts", async () => {
    const { api, endpoint } = await setup({ createdAt: Date.now() - 60 * DAY });
    const expired = await insertEvent(endpoint, { createdAt: Date.now() - 31 * DAY });
    const oldest = await insertEvent(endpoint, { createdAt: Date.now() - 29 * DAY });
    const { res } = await postRecorded<Recovery>(api, `/webhooks/${endpoint.id}/recover`, {
      since: "2020-01-01T00:00:00Z",
    });
    expect(res.body).toMatchObject({ queued: 1, hasMore: false });
    const rows = await deliveriesOf(endpoint.id);
    expect(rows.has(oldest.id)).toBe(true);
    // Past the 30 days kept (a purge not yet run): not recovered.
    expect(rows.has(expired.id)).toBe(false);
  });

  it("takes times with an offset", async () => {
    const { api, endpoint } = await setup();
    const missed = await insertEvent(endpoint, { createdAt: Date.now() - 2 * HOUR });
    const since = new Date(missed.createdAt - 60_000 + 2 * HOUR)
      .toISOString()
      .replace("Z", "+02:00");
    const { res } = await postRecorded<Recovery>(api, `/webhooks/${endpoint.id}/recover`, {
      since,
    });
    expect(res.body).toMatchObject({ queued: 1 });
  });

  it("409 endpoint_inactive on an inactive endpoint, queuing nothing", async () => {
    const { api, endpoint } = await setup({ isActive: false });
    const missed = await insertEvent(endpoint, { createdAt: Date.now() - HOUR });
    const { res, sent } = await postRecorded(api, `/webhooks/${endpoint.id}/recover`, {
      since: iso(Date.now() - DAY),
    });
    expectError(res, 409, "endpoint_inactive", "id");
    expect(sent).toEqual([]);
    expect((await deliveriesOf(endpoint.id)).has(missed.id)).toBe(false);
  });

  it("404 webhook_not_found for an unknown endpoint or another organization's", async () => {
    const { api, endpoint } = await setup();
    const body = { since: iso(Date.now() - DAY) };
    expectError(
      (await postRecorded(api, "/webhooks/whep_nope/recover", body)).res,
      404,
      "webhook_not_found",
      "id",
    );
    const stranger = await client(undefined, "test", "2026-07-31");
    expectError(
      (await postRecorded(stranger, `/webhooks/${endpoint.id}/recover`, body)).res,
      404,
      "webhook_not_found",
      "id",
    );
  });

  it("answers in the envelope under 2026-07-11", async () => {
    const { api, endpoint } = await setup({ version: "2026-07-11", mode: "live" });
    await insertEvent(endpoint, { createdAt: Date.now() - HOUR });
    const { res } = await postRecorded(api, `/webhooks/${endpoint.id}/recover`, {
      since: iso(Date.now() - DAY),
    });
    expect(res.body).toEqual({
      success: true,
      data: { object: "webhook_recovery", livemode: true, queued: 1, hasMore: false },
    });
  });

  it("replays a keyed recover, and refuses the key with another range", async () => {
    const { api, endpoint } = await setup();
    await insertEvent(endpoint, { createdAt: Date.now() - HOUR });
    const queue = new RecordingQueue();
    const key = newIdempotencyKey();
    const send = (since: string) =>
      api.call<Recovery>("POST", `/webhooks/${endpoint.id}/recover`, {
        body: { since },
        headers: { "Idempotency-Key": key },
        bindings: { WEBHOOK_QUEUE: queue },
      });
    const since = iso(Date.now() - 2 * HOUR);
    const first = await send(since);
    expect(first.body.queued).toBe(1);
    const replay = await settled(() => send(since));
    expect(replay.status).toBe(200);
    expect(replay.text).toBe(first.text);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expectError(await send(iso(Date.now() - 3 * HOUR)), 409, "idempotency_key_mismatch");
    expect(queue.drain()).toHaveLength(1);
  });
});
