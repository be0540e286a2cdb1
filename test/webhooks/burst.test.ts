import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { MAX_CONCURRENT_POSTS } from "../../src/webhooks/deliver";
import { eventMessages, sendAll } from "../../src/webhooks/queue";
import { uniqueOrg } from "../helpers/keys";
import {
  concurrency,
  createEndpoint,
  deliveriesOf,
  deliveryMessage,
  eventMessage,
  insertEvent,
  planData,
  RecordingQueue,
  receiver,
  runBatch,
  useReceivers,
} from "../helpers/webhooks";

useReceivers();

const payloadIds = (requests: { body: string }[]) =>
  requests.map((r) => (JSON.parse(r.body) as { id: string }).id);

describe("limits", () => {
  it("keeps at most 6 POSTs in flight per invocation and hands first attempts over budget to the queue", async () => {
    const orgId = uniqueOrg();
    const receivers = [1, 2, 3, 4].map(() => receiver({ status: 200, delayMs: 5 }));
    for (const r of receivers) await createEndpoint({ orgId, url: r.url });
    const events: string[] = [];
    for (let i = 0; i < 10; i++) {
      events.push(await insertEvent({ orgId, type: "plan.created", data: planData() }));
    }
    const queue = new RecordingQueue();
    concurrency.reset();
    const result = await runBatch(events.map(eventMessage), {
      queue,
      options: { inlineAttempts: 25 },
    });
    expect(result.explicitAcks).toHaveLength(10);
    expect(concurrency.max).toBeLessThanOrEqual(MAX_CONCURRENT_POSTS);
    const sent = receivers.reduce((n, r) => n + r.requests.length, 0);
    expect(sent).toBe(25);
    const handedOff = queue.drain();
    expect(handedOff).toHaveLength(15);
    expect(handedOff.every((m) => m.body.kind === "delivery" && m.delaySeconds === undefined)).toBe(
      true,
    );

    // The queue brings them back, ten to a batch.
    const ids = handedOff.map((m) => (m.body.kind === "delivery" ? m.body.deliveryId : ""));
    concurrency.reset();
    await runBatch(ids.slice(0, 10).map(deliveryMessage), { queue });
    await runBatch(ids.slice(10).map(deliveryMessage), { queue });
    expect(concurrency.max).toBeLessThanOrEqual(MAX_CONCURRENT_POSTS);
    for (const r of receivers) expect(payloadIds(r.requests).sort()).toEqual([...events].sort());
    for (const id of events) {
      expect((await deliveriesOf(id)).map((d) => d.status)).toEqual(Array(4).fill("succeeded"));
    }
  });

  it("starts no first attempt once the invocation's time budget is spent", async () => {
    const orgId = uniqueOrg();
    const r = receiver();
    await createEndpoint({ orgId, url: r.url });
    const eventId = await insertEvent({ orgId, type: "plan.created", data: planData() });
    const queue = new RecordingQueue();
    await runBatch([eventMessage(eventId)], { queue, options: { budgetMs: 0 } });
    expect(r.requests).toEqual([]);
    expect(queue.drain()).toHaveLength(1);
    expect((await deliveriesOf(eventId))[0]).toMatchObject({ status: "pending", attempts: 0 });
  });

  it("drains a burst of 200 events to 4 endpoints through the real queue, each POST exactly once", {
    timeout: 180_000,
  }, async () => {
    const orgId = uniqueOrg();
    const receivers = [1, 2, 3, 4].map(() => receiver());
    for (const r of receivers) await createEndpoint({ orgId, url: r.url });
    const events: string[] = [];
    for (let i = 0; i < 200; i++) {
      events.push(await insertEvent({ orgId, type: "plan.updated", data: planData() }));
    }
    // As the outbox middleware does after its responses: one message per event.
    await sendAll(env.WEBHOOK_QUEUE, eventMessages(events));

    for (const r of receivers) await r.waitFor(200, 150_000);
    const row = await env.DB.prepare(
      "SELECT count(*) AS n, sum(status = 'succeeded') AS ok, sum(attempts) AS tries FROM webhook_deliveries WHERE org_id = ?",
    )
      .bind(orgId)
      .first<{ n: number; ok: number; tries: number }>();
    expect(row).toEqual({ n: 800, ok: 800, tries: 800 });
    for (const r of receivers) {
      expect(r.requests).toHaveLength(200);
      expect(payloadIds(r.requests).sort()).toEqual([...events].sort());
    }
    const undispatched = await env.DB.prepare(
      "SELECT count(*) AS n FROM webhook_events WHERE org_id = ? AND dispatched_at IS NULL",
    )
      .bind(orgId)
      .first<{ n: number }>();
    expect(undispatched?.n).toBe(0);
  });
});
