import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { DeliveryMessage } from "../../src/webhooks/queue";
import { faultyD1, firstOnly } from "../helpers/faulty-d1";
import { type Client, client } from "../helpers/http";
import {
  createEndpoint,
  deliveriesOf,
  eventState,
  RecordingQueue,
  receiver,
  runBatch,
  useReceivers,
} from "../helpers/webhooks";

useReceivers();
afterEach(() => vi.restoreAllMocks());

type Id = { id: string };

/** A write whose queue messages are kept (not delivered), with the messages it sent. */
async function write(api: Client, method: string, path: string, body: unknown, headers = {}) {
  const queue = new RecordingQueue();
  const res = await api.call<Id>(method, path, {
    body,
    headers,
    bindings: { WEBHOOK_QUEUE: queue },
  });
  return { res, messages: queue.drain().map((m) => m.body) };
}

const historyEvent = (id: string) =>
  env.HISTORY_DB.prepare(
    "SELECT type, object_id, data, previous, request_id, idempotency_key FROM events WHERE id = ?",
  )
    .bind(id)
    .first<Record<string, string | null>>();

const eventIdOf = (messages: DeliveryMessage[]) => {
  const [message] = messages;
  if (message?.kind !== "event") throw new Error("no event message");
  return message.eventId;
};

describe("the hand-off from the outbox to the history", () => {
  it("copies the event with its data, previous state and request, and marks the outbox row", async () => {
    const api = await client(undefined, "test", "2026-07-31");
    const r = receiver();
    await createEndpoint({ orgId: api.orgId, url: r.url, events: ["plan_group.updated"] });
    const { res } = await write(api, "POST", "/plan-groups", { name: "Old" });
    const group = res.body.id;
    const { messages } = await write(
      api,
      "PATCH",
      `/plan-groups/${group}`,
      { name: "New" },
      { "x-request-id": "req_handoff_1", "Idempotency-Key": "rename-1" },
    );
    const eventId = eventIdOf(messages);
    expect(await historyEvent(eventId)).toBeNull();

    await runBatch(messages);
    const copy = await historyEvent(eventId);
    expect(copy).toMatchObject({
      type: "plan_group.updated",
      object_id: group,
      request_id: "req_handoff_1",
      idempotency_key: "rename-1",
    });
    expect(JSON.parse(copy?.data ?? "{}")).toMatchObject({ id: group, name: "New" });
    expect(JSON.parse(copy?.previous ?? "{}")).toMatchObject({ id: group, name: "Old" });
    expect((await eventState(eventId))?.dispatched_at).toEqual(expect.any(Number));
    expect(await deliveriesOf(eventId)).toEqual([
      expect.objectContaining({ status: "succeeded", attempts: 1 }),
    ]);
    expect(r.requests).toHaveLength(1);
  });

  it("hands on an event nobody subscribes to, with no delivery", async () => {
    const api = await client(undefined, "test", "2026-07-31");
    const { messages } = await write(api, "POST", "/plans", { name: "P", code: "p" });
    const eventId = eventIdOf(messages);
    await runBatch(messages);
    expect(await historyEvent(eventId)).toMatchObject({ type: "plan.created" });
    expect(await deliveriesOf(eventId)).toEqual([]);
  });

  it("repeated, after the history committed and the catalog did not hear of it, adds nothing twice", async () => {
    const api = await client(undefined, "test", "2026-07-31");
    const r = receiver();
    await createEndpoint({ orgId: api.orgId, url: r.url });
    const { messages } = await write(api, "POST", "/plans", { name: "P", code: "p" });
    const eventId = eventIdOf(messages);
    // The outbox row's "handed on" mark never lands: the message is retried.
    const marks = firstOnly(1, (sql) => sql.some((s) => s.startsWith('update "webhook_events"')));
    const DB = faultyD1((sql) => (marks(sql) ? "fail" : "ok"));
    const error = vi.spyOn(console, "error").mockImplementation(() => {});
    const first = await runBatch(messages, { bindings: { DB } });
    expect(first.retryMessages).toHaveLength(1);
    expect(error.mock.calls.map(([line]) => JSON.parse(String(line)).message)).toEqual([
      "webhook message failed, retried",
    ]);
    expect((await eventState(eventId))?.dispatched_at).toBeNull();

    await runBatch(messages);
    expect((await eventState(eventId))?.dispatched_at).toEqual(expect.any(Number));
    expect(await deliveriesOf(eventId)).toEqual([
      expect.objectContaining({ status: "succeeded", attempts: 1 }),
    ]);
    expect(r.requests).toHaveLength(1);
    const copies = await env.HISTORY_DB.prepare("SELECT count(*) AS n FROM events WHERE id = ?")
      .bind(eventId)
      .first<{ n: number }>();
    expect(copies?.n).toBe(1);
  });

  it("of an event handed on before creates no delivery for an endpoint subscribed since", async () => {
    const api = await client(undefined, "test", "2026-07-31");
    const { messages } = await write(api, "POST", "/plans", { name: "P", code: "p" });
    const eventId = eventIdOf(messages);
    await runBatch(messages);
    const r = receiver();
    await createEndpoint({ orgId: api.orgId, url: r.url, createdAt: 0 });
    await runBatch(messages);
    expect(await deliveriesOf(eventId)).toEqual([]);
    expect(r.requests).toEqual([]);
  });

  it("of an event fanned out before the history existed copies it and delivers nothing again", async () => {
    const api = await client(undefined, "test", "2026-07-31");
    const r = receiver();
    await createEndpoint({ orgId: api.orgId, url: r.url, createdAt: 0 });
    const { messages } = await write(api, "POST", "/plans", { name: "P", code: "p" });
    const eventId = eventIdOf(messages);
    // As migration 0007 leaves an event the old pipeline had delivered.
    await env.DB.prepare("UPDATE webhook_events SET fanned_out_at = created_at WHERE id = ?")
      .bind(eventId)
      .run();
    await runBatch(messages);
    expect(await historyEvent(eventId)).toMatchObject({ type: "plan.created" });
    expect((await eventState(eventId))?.dispatched_at).toEqual(expect.any(Number));
    expect(await deliveriesOf(eventId)).toEqual([]);
    expect(r.requests).toEqual([]);
  });
});
