import { createScheduledController, env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Db } from "../../src/db/database";
import worker from "../../src/index";
import { newId } from "../../src/lib/ids";
import { purgeWebhookHistory, WEBHOOK_RETENTION_MS } from "../../src/webhooks/purge";
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
    await env.DB.prepare("UPDATE webhook_deliveries SET next_attempt_at = ? WHERE id = ?")
      .bind(Date.now() - 10 * MINUTE, pending?.id ?? "")
      .run();

    const queue = new RecordingQueue();
    const result = await sweepWebhooks(new Db(env.DB), queue, Date.now());
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
    const result = await sweepWebhooks(new Db(env.DB), queue, Date.now(), { limit: 2 });
    expect(result).toMatchObject({ events: 2, complete: false });
    expect(queue.drain().filter((m) => m.body.kind === "event")).toHaveLength(2);
  });
});

/** An event of `orgId` with one delivery and one attempt, all `age` ms old. */
async function history(orgId: string, age: number) {
  const at = Date.now() - age;
  const [eventId, deliveryId] = [newId("whev", at), newId("whdl", at)];
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO webhook_events (id, org_id, mode, type, data, created_at, dispatched_at) VALUES (?, ?, 'test', 'plan.created', '{}', ?, ?)",
    ).bind(eventId, orgId, at, at),
    env.DB.prepare(
      "INSERT INTO webhook_deliveries (id, event_id, endpoint_id, org_id, mode, status, attempts, created_at, completed_at) VALUES (?, ?, 'whep_x', ?, 'test', 'succeeded', 1, ?, ?)",
    ).bind(deliveryId, eventId, orgId, at, at),
    env.DB.prepare(
      "INSERT INTO webhook_attempts (id, delivery_id, endpoint_id, event_id, attempt, status_code, duration_ms, created_at) VALUES (?, ?, 'whep_x', ?, 1, 200, 3, ?)",
    ).bind(newId("what", at), deliveryId, eventId, at),
  ]);
  return { eventId, deliveryId };
}

const counts = async (orgId: string) =>
  env.DB.prepare(
    `SELECT (SELECT count(*) FROM webhook_events WHERE org_id = ?1) AS events,
            (SELECT count(*) FROM webhook_deliveries WHERE org_id = ?1) AS deliveries,
            (SELECT count(*) FROM webhook_attempts a JOIN webhook_events e ON e.id = a.event_id WHERE e.org_id = ?1) AS attempts`,
  )
    .bind(orgId)
    .first<{ events: number; deliveries: number; attempts: number }>();

describe("the purge", () => {
  it("deletes events, deliveries and attempts older than 30 days from the 30-minute cron, and keeps newer ones", async () => {
    const orgId = uniqueOrg();
    const old = await history(orgId, WEBHOOK_RETENTION_MS + DAY);
    const kept = await history(orgId, WEBHOOK_RETENTION_MS - DAY);
    const logs = await cron("*/30 * * * *");
    expect(logs).toContainEqual(expect.objectContaining({ job: "webhookPurge", complete: true }));
    expect(await eventState(old.eventId)).toBeNull();
    expect(await deliveriesOf(old.eventId)).toEqual([]);
    expect(await attemptsOf(old.deliveryId)).toEqual([]);
    expect(await eventState(kept.eventId)).not.toBeNull();
    expect(await attemptsOf(kept.deliveryId)).toHaveLength(1);
  });

  it("works in chunks and stops when its time budget is spent", async () => {
    const orgId = uniqueOrg();
    for (let i = 0; i < 5; i++) await history(orgId, WEBHOOK_RETENTION_MS + DAY);
    const db = new Db(env.DB);
    // A clock that has already run out after the first chunk.
    let calls = 0;
    const clock = () => (calls++ === 0 ? 0 : 1_000_000);
    const partial = await purgeWebhookHistory(db, Date.now(), { chunk: 2, budgetMs: 10, clock });
    expect(partial).toMatchObject({ complete: false });
    expect(partial.events).toBe(2);
    const rest = await purgeWebhookHistory(db, Date.now(), { chunk: 2 });
    expect(rest.complete).toBe(true);
    expect(await counts(orgId)).toEqual({ events: 0, deliveries: 0, attempts: 0 });
  });
});
