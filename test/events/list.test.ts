import { describe, expect, it } from "vitest";
import { EVENT_TYPES } from "../../src/webhooks/events";
import { type Client, client } from "../helpers/http";
import { uniqueOrg } from "../helpers/keys";
import {
  DAY,
  type EventBody,
  groupState,
  insertDelivery,
  insertHistoryEvent,
  insertOutboxEvent,
  listEvents,
  walk,
} from "./helpers";

type Id = { id: string };

const requestId = () => `req-events-${crypto.randomUUID()}`;

async function createGroup(api: Client, name = "G") {
  const res = await api.post<{ data: Id }>("/plan-groups", { name });
  expect(res.status, res.text).toBe(201);
  return res.body.data.id;
}

const ids = (events: EventBody[]) => events.map((e) => e.id);
const sortedDesc = (list: string[]) => [...list].sort().reverse();

describe("GET /events: listed as soon as the write answered", () => {
  it("shows the write's event at once, naming its x-request-id and Idempotency-Key", async () => {
    const api = await client();
    const rid = requestId();
    const key = `key-${crypto.randomUUID()}`;
    const res = await api.call<{ data: Id }>("POST", "/plan-groups", {
      body: { name: "Fresh" },
      headers: { "x-request-id": rid, "Idempotency-Key": key },
    });
    expect(res.status, res.text).toBe(201);
    const page = await listEvents(api);
    expect(page.hasMore).toBe(false);
    expect(page.data).toHaveLength(1);
    const [event] = page.data;
    expect(event).toMatchObject({
      object: "event",
      livemode: false,
      type: "plan_group.created",
      apiVersion: "2026-07-11",
      data: { object: "plan_group", id: res.body.data.id, name: "Fresh", plans: [] },
      previousAttributes: null,
      request: { id: rid, idempotencyKey: key },
    });
    expect(event?.id).toMatch(/^whev_[0-9a-z]{26}$/);
    expect(Date.parse(event?.createdAt ?? "")).toBeGreaterThan(Date.now() - 60_000);
  });

  it("a write without Idempotency-Key: its generated request id, and idempotencyKey null", async () => {
    const api = await client();
    const res = await api.post("/plan-groups", { name: "G" });
    const [event] = (await listEvents(api)).data;
    expect(event?.request).toEqual({ id: res.headers.get("x-request-id"), idempotencyKey: null });
  });

  it("every event of a sequence of writes, newest first, with previousAttributes", async () => {
    const api = await client();
    const group = await createGroup(api, "Before");
    const plan = (
      await api.post<{ data: Id }>("/plans/manage", {
        name: "P",
        code: "p",
        planGroupId: group,
      })
    ).body.data.id;
    await api.put(`/plan-groups/${group}`, { name: "After" });
    await api.del(`/plans/${plan}/manage`);
    const { data } = await listEvents(api);
    expect(ids(data)).toEqual(sortedDesc(ids(data)));
    // Events of one write share its millisecond: compare each write's events as a set.
    expect(data.map((e) => e.type).sort()).toEqual(
      [
        "plan_group.created",
        "plan.created",
        "plan_group.plan_added",
        "plan_group.updated",
        "plan.deleted",
        "plan_group.plan_removed",
      ].sort(),
    );
    const updated = data.find((e) => e.type === "plan_group.updated");
    expect(updated?.data).toMatchObject({ id: group, name: "After" });
    expect(updated?.previousAttributes).toEqual({ name: "Before" });
    expect(data.find((e) => e.type === "plan.deleted")?.data).toMatchObject({ id: plan });
  });

  it("an event whose stored object cannot be read is listed with data: null", async () => {
    const api = await client();
    const at = Date.now() - 60_000;
    const id = await insertHistoryEvent({ orgId: api.orgId, at, data: "not json" });
    const { data } = await listEvents(api);
    expect(data).toEqual([expect.objectContaining({ id, data: null, previousAttributes: null })]);
  });
});

describe("GET /events: where events come from", () => {
  it("merges the outbox and the history, newest first, each event once", async () => {
    const api = await client();
    const now = Date.now();
    const old = [
      await insertHistoryEvent({ orgId: api.orgId, at: now - 3 * 60_000 }),
      await insertHistoryEvent({ orgId: api.orgId, at: now - 2 * 60_000 }),
    ];
    await createGroup(api);
    const outboxOnly = (await listEvents(api, "limit=1")).data[0]?.id as string;
    // Handed on and not purged yet: in both databases.
    const both = await insertOutboxEvent({ orgId: api.orgId, at: now - 60_000, dispatchedAt: now });
    await insertHistoryEvent({ orgId: api.orgId, at: now - 60_000, id: both });
    const { data } = await listEvents(api);
    expect(ids(data)).toEqual([outboxOnly, both, old[1], old[0]]);
  });

  it("pages across the boundary: every event exactly once, in order, whatever the limit", async () => {
    const api = await client();
    const now = Date.now();
    const expected: string[] = [];
    for (let i = 6; i >= 1; i--) {
      expected.push(await insertHistoryEvent({ orgId: api.orgId, at: now - i * 60_000 }));
    }
    const both = await insertOutboxEvent({ orgId: api.orgId, at: now - 30_000, dispatchedAt: now });
    await insertHistoryEvent({ orgId: api.orgId, at: now - 30_000, id: both });
    expected.push(both);
    for (let i = 0; i < 3; i++) await createGroup(api);
    const all = ids((await listEvents(api, "limit=100")).data);
    expect(all).toHaveLength(10);
    expect(all.slice(3)).toEqual(sortedDesc(expected));
    for (const limit of [1, 2, 3, 4, 7, 10]) expect(await walk(api, "", limit)).toEqual(all);
  });

  it("a walk through pages sees every older event once while new ones are written", async () => {
    const api = await client();
    for (let i = 0; i < 4; i++) await createGroup(api);
    const before = ids((await listEvents(api)).data);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listEvents(api, `limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...ids(page.data));
      await createGroup(api);
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen).toEqual(before);
  });
});

describe("GET /events: filters", () => {
  it("type: one, repeated, comma-separated, or both; duplicates are harmless", async () => {
    const api = await client();
    const group = await createGroup(api);
    await api.post("/plans/manage", { name: "P", code: "p", planGroupId: group });
    await api.patch(`/plan-groups/${group}`, { name: "H" });
    const typesOf = async (query: string) =>
      (await listEvents(api, query)).data.map((e) => e.type).sort();
    expect(await typesOf("type=plan.created")).toEqual(["plan.created"]);
    expect(await typesOf("type=plan.created&type=plan_group.updated")).toEqual([
      "plan.created",
      "plan_group.updated",
    ]);
    expect(await typesOf("type=plan.created,plan_group.created")).toEqual([
      "plan.created",
      "plan_group.created",
    ]);
    expect(
      await typesOf(
        "type=plan.created,plan_group.created&type=plan_group.plan_added&type=plan.created",
      ),
    ).toEqual(["plan.created", "plan_group.created", "plan_group.plan_added"]);
    expect(await typesOf(`type=${EVENT_TYPES.join(",")}`)).toHaveLength(4);
    expect(await typesOf("type=plan.deleted")).toEqual([]);
  });

  it("objectId: the events about one object, from the outbox and from history", async () => {
    const api = await client();
    const a = await createGroup(api, "A");
    const b = await createGroup(api, "B");
    await api.patch(`/plan-groups/${a}`, { name: "A2" });
    const archived = await insertHistoryEvent({
      orgId: api.orgId,
      at: Date.now() - 60_000,
      objectId: a,
      data: JSON.stringify(groupState(a, { name: "A0" })),
    });
    await insertHistoryEvent({ orgId: api.orgId, at: Date.now() - 60_000, objectId: b });
    const ofA = (await listEvents(api, `objectId=${a}`)).data;
    expect(ofA.map((e) => e.type)).toEqual([
      "plan_group.updated",
      "plan_group.created",
      "plan_group.created",
    ]);
    expect(ofA.at(-1)?.id).toBe(archived);
    for (const e of ofA) expect(e.data?.id).toBe(a);
    expect((await listEvents(api, `objectId=${b}`)).data).toHaveLength(2);
    expect((await listEvents(api, "objectId=pgrp_nothing")).data).toEqual([]);
    expect(await walk(api, `objectId=${a}`, 1)).toEqual(ids(ofA));
  });

  it("createdAfter and createdBefore: strict bounds, on history", async () => {
    const api = await client();
    const t = Date.now() - 10 * 60_000;
    const [e1, e2, e3] = [
      await insertHistoryEvent({ orgId: api.orgId, at: t - 60_000 }),
      await insertHistoryEvent({ orgId: api.orgId, at: t }),
      await insertHistoryEvent({ orgId: api.orgId, at: t + 60_000 }),
    ];
    const iso = (ms: number) => new Date(ms).toISOString();
    const list = async (query: string) => ids((await listEvents(api, query)).data);
    expect(await list(`createdAfter=${iso(t)}`)).toEqual([e3]);
    expect(await list(`createdAfter=${iso(t - 1)}`)).toEqual([e3, e2]);
    expect(await list(`createdBefore=${iso(t)}`)).toEqual([e1]);
    expect(await list(`createdBefore=${iso(t + 1)}`)).toEqual([e2, e1]);
    expect(await list(`createdAfter=${iso(t - 1)}&createdBefore=${iso(t + 1)}`)).toEqual([e2]);
    expect(await list(`createdAfter=${iso(t)}&createdBefore=${iso(t)}`)).toEqual([]);
    // Any offset: the same instant written another way.
    expect(await list(`createdAfter=${encodeURIComponent("1970-01-01T01:00:00+01:00")}`)).toEqual([
      e3,
      e2,
      e1,
    ]);
    expect(await walk(api, `createdBefore=${iso(t + 60_001)}`, 1)).toEqual([e3, e2, e1]);
  });

  it("createdAfter and createdBefore on events still in the outbox", async () => {
    const api = await client();
    const start = Date.now();
    await createGroup(api);
    const [event] = (await listEvents(api)).data;
    const at = Date.parse(event?.createdAt ?? "");
    const iso = (ms: number) => new Date(ms).toISOString();
    const count = async (query: string) => (await listEvents(api, query)).data.length;
    expect(await count(`createdAfter=${iso(start - 1)}`)).toBe(1);
    expect(await count(`createdAfter=${iso(at)}`)).toBe(0);
    expect(await count(`createdBefore=${iso(at + 1)}`)).toBe(1);
    expect(await count(`createdBefore=${iso(at)}`)).toBe(0);
  });

  it("deliveryFailed: a delivery whose latest attempt failed, retries pending or given up", async () => {
    const api = await client();
    const base = Date.now() - 30 * 60_000;
    const event = async (minute: number) => {
      const at = base + minute * 60_000;
      return { id: await insertHistoryEvent({ orgId: api.orgId, at }), orgId: api.orgId, at };
    };
    const none = await event(1);
    const succeeded = await event(2);
    await insertDelivery(succeeded, "succeeded", [{ statusCode: 500 }, { statusCode: 204 }]);
    const givenUp = await event(3);
    await insertDelivery(givenUp, "failed", [
      { statusCode: 500 },
      { statusCode: null, error: "timeout" },
    ]);
    const retrying = await event(4);
    await insertDelivery(retrying, "pending", [{ statusCode: 503 }]);
    const unreachable = await event(5);
    await insertDelivery(unreachable, "pending", [
      { statusCode: null, error: "connection refused" },
    ]);
    // Claimed, its first POST in flight: nothing failed yet.
    const inFlight = await event(6);
    await insertDelivery(inFlight, "pending", [], 1);
    const firstWaiting = await event(7);
    await insertDelivery(firstWaiting, "pending", []);
    const dropped = await event(8);
    await insertDelivery(dropped, "dropped", []);
    // Failing until its endpoint was deactivated, then dropped at its next turn.
    const droppedAfterFailing = await event(11);
    await insertDelivery(droppedAfterFailing, "dropped", [{ statusCode: 500 }]);
    const mixed = await event(9);
    await insertDelivery(mixed, "succeeded", [{ statusCode: 200 }]);
    await insertDelivery(mixed, "failed", [{ statusCode: 410 }]);
    // Retried by hand after it succeeded: its latest attempt did not fail.
    const retriedAfterSuccess = await event(10);
    await insertDelivery(retriedAfterSuccess, "pending", [
      { statusCode: 500 },
      { statusCode: 200 },
    ]);
    await createGroup(api);
    const outbox = (await listEvents(api, "limit=1")).data[0]?.id;

    const failed = ids((await listEvents(api, "deliveryFailed=true")).data);
    expect(failed).toEqual([
      droppedAfterFailing.id,
      mixed.id,
      unreachable.id,
      retrying.id,
      givenUp.id,
    ]);
    const fine = ids((await listEvents(api, "deliveryFailed=false")).data);
    expect(fine).toEqual([
      outbox,
      retriedAfterSuccess.id,
      dropped.id,
      firstWaiting.id,
      inFlight.id,
      succeeded.id,
      none.id,
    ]);
    expect(await walk(api, "deliveryFailed=true", 1)).toEqual(failed);
    expect(await walk(api, "deliveryFailed=false", 2)).toEqual(fine);
  });

  it("deliveryFailed=false keeps an event handed on (outbox and history) only by its history", async () => {
    const api = await client();
    const at = Date.now() - 60_000;
    const id = await insertOutboxEvent({ orgId: api.orgId, at, dispatchedAt: Date.now() });
    await insertHistoryEvent({ orgId: api.orgId, at, id });
    await insertDelivery({ id, orgId: api.orgId, at }, "failed", [{ statusCode: 500 }]);
    expect(ids((await listEvents(api, "deliveryFailed=false")).data)).toEqual([]);
    expect(ids((await listEvents(api, "deliveryFailed=true")).data)).toEqual([id]);
    expect(ids((await listEvents(api)).data)).toEqual([id]);
  });

  it("filters combine: type, objectId, time range and deliveryFailed together", async () => {
    const api = await client();
    const t = Date.now() - 20 * 60_000;
    const objectId = "pgrp_combined";
    const data = JSON.stringify(groupState(objectId));
    const make = async (minute: number, type: string, failed: boolean, other = false) => {
      const at = t + minute * 60_000;
      const id = await insertHistoryEvent({
        orgId: api.orgId,
        at,
        type,
        ...(other ? {} : { objectId, data }),
      });
      if (failed)
        await insertDelivery({ id, orgId: api.orgId, at, type }, "failed", [{ statusCode: 500 }]);
      return id;
    };
    await make(0, "plan_group.updated", true); // before the range
    const hit1 = await make(1, "plan_group.updated", true);
    await make(2, "plan_group.updated", false); // delivered
    await make(3, "plan_group.created", true); // another type
    await make(4, "plan_group.updated", true, true); // another object
    const hit2 = await make(5, "plan_group.plan_added", true);
    await make(7, "plan_group.updated", true); // after the range
    const iso = (ms: number) => new Date(ms).toISOString();
    const query = [
      "type=plan_group.updated,plan_group.plan_added",
      `objectId=${objectId}`,
      `createdAfter=${iso(t)}`,
      `createdBefore=${iso(t + 6 * 60_000)}`,
      "deliveryFailed=true",
    ].join("&");
    expect(ids((await listEvents(api, query)).data)).toEqual([hit2, hit1]);
    expect(await walk(api, query, 1)).toEqual([hit2, hit1]);
  });
});

describe("GET /events: what is never listed", () => {
  it("events of other organizations and of the other mode", async () => {
    const orgId = uniqueOrg();
    const test = await client(orgId, "test");
    const live = await client(orgId, "live");
    const other = await client();
    await createGroup(test);
    await createGroup(other);
    await insertHistoryEvent({ orgId, mode: "live", at: Date.now() - 60_000 });
    await insertHistoryEvent({ orgId: other.orgId, at: Date.now() - 60_000 });
    const testEvents = (await listEvents(test)).data;
    expect(testEvents).toHaveLength(1);
    expect(testEvents[0]?.livemode).toBe(false);
    const liveEvents = (await listEvents(live)).data;
    expect(liveEvents).toHaveLength(1);
    expect(liveEvents[0]?.livemode).toBe(true);
    expect((await listEvents(other)).data).toHaveLength(2);
  });

  it("test sends (webhook.test): they are not changes", async () => {
    const api = await client();
    await insertHistoryEvent({
      orgId: api.orgId,
      at: Date.now() - 60_000,
      type: "webhook.test",
      data: JSON.stringify({ message: "test" }),
    });
    expect((await listEvents(api)).data).toEqual([]);
    expect((await listEvents(api, "deliveryFailed=false")).data).toEqual([]);
  });

  it("events older than 30 days, in history or in the outbox, even when asked for", async () => {
    const api = await client();
    const now = Date.now();
    await insertHistoryEvent({ orgId: api.orgId, at: now - 31 * DAY });
    await insertOutboxEvent({ orgId: api.orgId, at: now - 31 * DAY, dispatchedAt: now - 31 * DAY });
    const kept = await insertHistoryEvent({ orgId: api.orgId, at: now - 29 * DAY });
    const keptInOutbox = await insertOutboxEvent({
      orgId: api.orgId,
      at: now - 29 * DAY + 1,
      dispatchedAt: now,
    });
    expect(ids((await listEvents(api)).data)).toEqual([keptInOutbox, kept]);
    const since = new Date(now - 40 * DAY).toISOString();
    expect(ids((await listEvents(api, `createdAfter=${since}`)).data)).toEqual([
      keptInOutbox,
      kept,
    ]);
  });
});
