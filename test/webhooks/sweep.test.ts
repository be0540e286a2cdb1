import {
  createExecutionContext,
  createMessageBatch,
  createScheduledController,
  env,
  getQueueResult,
} from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { storesOf } from "../../src/history/stores";
import worker from "../../src/index";
import { newId } from "../../src/lib/ids";
import { deliverBatch } from "../../src/webhooks/deliver";
import {
  OUTBOX_GRACE_MS,
  purgeWebhookHistory,
  WEBHOOK_RETENTION_MS,
} from "../../src/webhooks/purge";
import { sweepWebhooks } from "../../src/webhooks/sweep";
import { uniqueOrg } from "../helpers/keys";
import {
  attemptsOf,
  createEndpoint,
  deliveriesOf,
  eventMessage,
  eventState,
  insertEvent,
  planData,
  RecordingQueue,
  receiver,
  runBatch,
  useReceivers,
} from "../helpers/webhooks";

useReceivers();
afterEach(() => vi.restoreAllMocks());

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

async function cron(cron: string, scheduledTime = Date.now()) {
  const lines: Record<string, unknown>[] = [];
  vi.spyOn(console, "log").mockImplementation((line) => lines.push(JSON.parse(String(line))));
  await worker.scheduled(createScheduledController({ cron, scheduledTime }), env);
  vi.restoreAllMocks();
  return lines.filter((l) => l.message === "cron job");
}

describe("the sweep", () => {
  it("delivers an event whose queue message was lost, from the 5-minute cron through the real queue", async () => {
    const orgId = uniqueOrg();
    const r = receiver();
    await createEndpoint({ orgId, url: r.url, createdAt: Date.now() - 10 * MINUTE });
    const lost = await insertEvent({
      orgId,
      type: "plan.created",
      data: planData(),
      createdAt: Date.now() - 2 * MINUTE,
    });
    const logs = await cron("*/5 * * * *");
    expect(logs).toContainEqual(
      expect.objectContaining({ job: "webhookSweep", cron: "*/5 * * * *", complete: true }),
    );
    const [req] = await r.waitFor(1);
    expect(JSON.parse(req?.body ?? "{}")).toMatchObject({ id: lost, event: "plan.created" });
    expect((await deliveriesOf(lost))[0]).toMatchObject({ status: "succeeded", attempts: 1 });
  });

  it("leaves events younger than a minute to their own message, and sends overdue retries again", async () => {
    const orgId = uniqueOrg();
    const r = receiver({ status: 500 });
    await createEndpoint({ orgId, url: r.url });
    const fresh = await insertEvent({ orgId, type: "plan.created", data: planData() });
    const retried = await insertEvent({ orgId, type: "plan.updated", data: planData() });
    vi.spyOn(console, "log").mockImplementation(() => {});
    await runBatch([eventMessage(retried)]); // its retry message goes nowhere: lost
    vi.restoreAllMocks();
    const [pending] = await deliveriesOf(retried);
    await env.HISTORY_DB.prepare("UPDATE deliveries SET next_attempt_at = ? WHERE id = ?")
      .bind(Date.now() - 10 * MINUTE, pending?.id ?? "")
      .run();

    const queue = new RecordingQueue();
    const result = await sweepWebhooks(storesOf(env), queue, Date.now());
    const sent = queue.drain().map((m) => m.body);
    expect(sent).toContainEqual({ kind: "delivery", deliveryId: pending?.id });
    expect(sent).not.toContainEqual({ kind: "event", eventId: fresh });
    expect(result.deliveries).toBeGreaterThanOrEqual(1);

    r.reply({ status: 200 });
    await runBatch(sent.filter((m) => m.kind === "delivery" && m.deliveryId === pending?.id));
    expect((await deliveriesOf(retried))[0]).toMatchObject({ status: "succeeded", attempts: 2 });
  });

  it("sends at most `limit` of each kind per run and says it is not complete", async () => {
    const orgId = uniqueOrg();
    for (let i = 0; i < 3; i++) {
      await insertEvent({
        orgId,
        type: "plan.created",
        data: planData(),
        createdAt: Date.now() - 5 * MINUTE,
      });
    }
    const queue = new RecordingQueue();
    const result = await sweepWebhooks(storesOf(env), queue, Date.now(), { limit: 2 });
    expect(result).toMatchObject({ events: 2, complete: false });
    expect(queue.drain().filter((m) => m.body.kind === "event")).toHaveLength(2);
  });
});

/** An event of `orgId` (handed on: in the history) with one delivery and one attempt, all `age` ms old. */
async function history(orgId: string, age: number) {
  const at = Date.now() - age;
  const [eventId, deliveryId] = [newId("whev", at), newId("whdl", at)];
  await env.HISTORY_DB.batch([
    env.HISTORY_DB.prepare(
      "INSERT INTO events (id, org_id, mode, type, data, created_at) VALUES (?, ?, 'test', 'plan.created', '{}', ?)",
    ).bind(eventId, orgId, at),
    env.HISTORY_DB.prepare(
      "INSERT INTO deliveries (id, event_id, endpoint_id, org_id, mode, type, status, attempts, created_at, completed_at) VALUES (?, ?, 'whep_x', ?, 'test', 'plan.created', 'succeeded', 1, ?, ?)",
    ).bind(deliveryId, eventId, orgId, at, at),
    env.HISTORY_DB.prepare(
      "INSERT INTO attempts (id, delivery_id, endpoint_id, event_id, attempt, status_code, duration_ms, created_at) VALUES (?, ?, 'whep_x', ?, 1, 200, 3, ?)",
    ).bind(newId("what", at), deliveryId, eventId, at),
  ]);
  return { eventId, deliveryId };
}

/** An outbox row of `orgId` created `age` ms ago and handed on `handedAgo` ms ago (null: not yet). */
async function outboxRow(orgId: string, age: number, handedAgo: number | null) {
  const id = await insertEvent({
    orgId,
    type: "plan.created",
    data: planData(),
    createdAt: Date.now() - age,
  });
  if (handedAgo !== null) {
    await env.DB.prepare("UPDATE webhook_events SET dispatched_at = ? WHERE id = ?")
      .bind(Date.now() - handedAgo, id)
      .run();
  }
  return id;
}

const historyEvent = async (id: string) =>
  env.HISTORY_DB.prepare("SELECT id FROM events WHERE id = ?").bind(id).first();

const counts = async (orgId: string) =>
  env.HISTORY_DB.prepare(
    `SELECT (SELECT count(*) FROM events WHERE org_id = ?1) AS events,
            (SELECT count(*) FROM deliveries WHERE org_id = ?1) AS deliveries,
            (SELECT count(*) FROM attempts a JOIN events e ON e.id = a.event_id WHERE e.org_id = ?1) AS attempts`,
  )
    .bind(orgId)
    .first<{ events: number; deliveries: number; attempts: number }>();

describe("the purge", () => {
  it("deletes events, deliveries and attempts older than 30 days from the 30-minute cron, and keeps newer ones", async () => {
    const orgId = uniqueOrg();
    const old = await history(orgId, WEBHOOK_RETENTION_MS + DAY);
    const kept = await history(orgId, WEBHOOK_RETENTION_MS - DAY);
    const logs = await cron("2,32 * * * *");
    expect(logs).toContainEqual(expect.objectContaining({ job: "webhookPurge", complete: true }));
    expect(await historyEvent(old.eventId)).toBeNull();
    expect(await deliveriesOf(old.eventId)).toEqual([]);
    expect(await attemptsOf(old.deliveryId)).toEqual([]);
    expect(await historyEvent(kept.eventId)).not.toBeNull();
    expect(await attemptsOf(kept.deliveryId)).toHaveLength(1);
  });

  it("empties the outbox of events handed on more than 10 minutes ago, and of nothing else younger than 30 days", async () => {
    const orgId = uniqueOrg();
    const handed = await outboxRow(orgId, OUTBOX_GRACE_MS + MINUTE, OUTBOX_GRACE_MS + 1000);
    const justHanded = await outboxRow(orgId, OUTBOX_GRACE_MS + MINUTE, MINUTE);
    const waiting = await outboxRow(orgId, DAY, null);
    const abandoned = await outboxRow(orgId, WEBHOOK_RETENTION_MS + DAY, null);
    await cron("2,32 * * * *");
    expect(await eventState(handed)).toBeNull();
    expect(await eventState(abandoned)).toBeNull();
    expect(await eventState(justHanded)).not.toBeNull();
    expect(await eventState(waiting)).toEqual({ dispatched_at: null });
  });

  it("works in chunks and stops when its time budget is spent", async () => {
    const orgId = uniqueOrg();
    for (let i = 0; i < 5; i++) await history(orgId, WEBHOOK_RETENTION_MS + DAY);
    const stores = storesOf(env);
    // A clock that has already run out after the first chunk.
    let calls = 0;
    const clock = () => (calls++ === 0 ? 0 : 1_000_000);
    const partial = await purgeWebhookHistory(stores, Date.now(), {
      chunk: 2,
      budgetMs: 10,
      clock,
    });
    expect(partial).toMatchObject({ complete: false });
    expect(partial.events).toBe(2);
    const rest = await purgeWebhookHistory(stores, Date.now(), { chunk: 2 });
    expect(rest.complete).toBe(true);
    expect(await counts(orgId)).toEqual({ events: 0, deliveries: 0, attempts: 0 });
  });
});

const MARK = "webhook_queue_mark";

/** Sets (or, with null, removes) the queue's progress mark, as if the consumer had recorded it. */
async function setMark(at: number | null) {
  await env.DB.prepare("DELETE FROM service_state WHERE name = ?").bind(MARK).run();
  if (at === null) return;
  await env.DB.prepare("INSERT INTO service_state (name, value, updated_at) VALUES (?, ?, ?)")
    .bind(MARK, String(at), at)
    .run();
}

const markValue = async () =>
  (
    await env.DB.prepare("SELECT value FROM service_state WHERE name = ?")
      .bind(MARK)
      .first<{ value: string }>()
  )?.value ?? null;

/** One sweep run at `now`: what it sent of `ids` (every other message of it too, marks included). */
async function sweepAt(now: number, ids: string[]) {
  const queue = new RecordingQueue();
  await sweepWebhooks(storesOf(env), queue, now);
  const sent = queue.drain().map((m) => m.body);
  return {
    mine: sent.flatMap((m) =>
      m.kind === "event" && ids.includes(m.eventId)
        ? [m.eventId]
        : m.kind === "delivery" && ids.includes(m.deliveryId)
          ? [m.deliveryId]
          : [],
    ),
    marks: sent.filter((m) => m.kind === "mark"),
  };
}

/** A pending delivery whose message was due `at` (its first attempt failed; the retry message is ours to lose). */
async function pendingDelivery(orgId: string, at: number) {
  const r = receiver({ status: 500 });
  await createEndpoint({ orgId, url: r.url });
  const eventId = await insertEvent({ orgId, type: "plan.updated", data: planData() });
  vi.spyOn(console, "log").mockImplementation(() => {});
  await runBatch([eventMessage(eventId)]);
  vi.restoreAllMocks();
  const [delivery] = await deliveriesOf(eventId);
  await env.HISTORY_DB.prepare("UPDATE deliveries SET next_attempt_at = ? WHERE id = ?")
    .bind(at, delivery?.id ?? "")
    .run();
  return delivery?.id ?? "";
}

describe("the sweep's progress mark", () => {
  it("is recorded by the consumer, which keeps the latest and drops a mark it cannot read", async () => {
    const at = Date.now();
    await setMark(null);
    const result = await runBatch([{ kind: "mark", at }]);
    expect(result.explicitAcks).toHaveLength(1);
    expect(await markValue()).toBe(String(at));
    await runBatch([{ kind: "mark", at: at - 60_000 }]); // late: an earlier sweep's
    expect(await markValue()).toBe(String(at));
    await runBatch([{ kind: "mark", at: at + 1 }]);
    expect(await markValue()).toBe(String(at + 1));

    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const bad = createMessageBatch("webhook-deliveries", [
      { id: "bad-mark", timestamp: new Date(), attempts: 1, body: { kind: "mark", at: "soon" } },
    ]);
    await deliverBatch(bad, env);
    await expect(getQueueResult(bad, createExecutionContext())).resolves.toMatchObject({
      explicitAcks: ["bad-mark"],
    });
    expect(errors.mock.calls.map((c) => JSON.parse(String(c[0])).message)).toEqual([
      "webhook queue message not understood, dropped",
    ]);
    expect(await markValue()).toBe(String(at + 1));
  });

  it("under a backlog (no newer mark handled), re-enqueues nothing twice however many runs pass", async () => {
    const orgId = uniqueOrg();
    const base = Date.now();
    const lostEvent = await insertEvent({
      orgId,
      type: "plan.created",
      data: planData(),
      createdAt: base - 20 * MINUTE,
    });
    const queuedEvent = await insertEvent({
      orgId,
      type: "plan.created",
      data: planData(),
      createdAt: base - 5 * MINUTE,
    });
    const lostRetry = await pendingDelivery(orgId, base - 20 * MINUTE);
    const queuedRetry = await pendingDelivery(orgId, base - 8 * MINUTE);
    // The last mark that came out of the queue was sent 10 minutes ago.
    await setMark(base - 10 * MINUTE);
    const ids = [lostEvent, queuedEvent, lostRetry, queuedRetry];

    const runs = [];
    for (let i = 0; i < 6; i++) runs.push(await sweepAt(base + i * 5 * MINUTE, ids));
    expect(runs.flatMap((r) => r.mine).sort()).toEqual([lostEvent, lostRetry].sort());
    expect(runs[0]?.mine.sort()).toEqual([lostEvent, lostRetry].sort());
    // Every run leaves a mark behind what it sent.
    expect(runs.map((r) => r.marks)).toEqual(
      runs.map((_, i) => [{ kind: "mark", at: base + i * 5 * MINUTE }]),
    );
  });

  it("re-enqueues an event whose message was lost once a later mark has come out of the queue, and only once", async () => {
    const orgId = uniqueOrg();
    const r = receiver();
    await createEndpoint({ orgId, url: r.url, createdAt: Date.now() - 10 * MINUTE });
    const base = Date.now();
    const lost = await insertEvent({
      orgId,
      type: "plan.created",
      data: planData(),
      createdAt: base - 3 * MINUTE,
    });
    await setMark(base - 4 * MINUTE);

    const first = await sweepAt(base, [lost]);
    expect(first.mine).toEqual([]); // its message may still be queued
    await runBatch(first.marks); // the queue delivered the run's mark: it passed the event's message
    expect(await markValue()).toBe(String(base));

    const second = await sweepAt(base + 5 * MINUTE, [lost]);
    expect(second.mine).toEqual([lost]);
    const third = await sweepAt(base + 10 * MINUTE, [lost]);
    expect(third.mine).toEqual([]);

    await runBatch([eventMessage(lost)]);
    expect(r.requests).toHaveLength(1);
    expect((await deliveriesOf(lost))[0]).toMatchObject({ status: "succeeded", attempts: 1 });
  });

  it("with no mark ever recorded (a fresh deployment), goes by age alone", async () => {
    const orgId = uniqueOrg();
    const base = Date.now();
    const lost = await insertEvent({
      orgId,
      type: "plan.created",
      data: planData(),
      createdAt: base - 2 * MINUTE,
    });
    await setMark(null);
    expect((await sweepAt(base, [lost])).mine).toEqual([lost]);
    // Nothing says the first copy left the queue: a run 5 minutes later sends it again.
    expect((await sweepAt(base + 5 * MINUTE, [lost])).mine).toEqual([lost]);
  });
});
