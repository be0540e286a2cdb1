import { describe, expect, it } from "vitest";
import { type Client, client, expectError } from "../helpers/http";
import { uniqueOrg } from "../helpers/keys";
import {
  DAY,
  type EventBody,
  groupState,
  insertHistoryEvent,
  insertOutboxEvent,
  listEvents,
} from "./helpers";

const getEvent = async (api: Client, id: string) => {
  const res = await api.get<{ success: true; data: EventBody }>(`/events/${id}`);
  expect(res.status, res.text).toBe(200);
  return res.body.data;
};

describe("GET /events/{id}", () => {
  it("the event of a write that just answered, as the list shows it", async () => {
    const api = await client();
    const rid = `req-get-${crypto.randomUUID()}`;
    const key = `key-${crypto.randomUUID()}`;
    await api.call("POST", "/plan-groups", {
      body: { name: "G" },
      headers: { "x-request-id": rid, "Idempotency-Key": key },
    });
    const [listed] = (await listEvents(api)).data;
    const event = await getEvent(api, listed?.id as string);
    expect(event).toEqual(listed);
    expect(event.request).toEqual({ id: rid, idempotencyKey: key });
  });

  it("an event only in history, with previousAttributes", async () => {
    const api = await client();
    const at = Date.now() - 2 * DAY;
    const id = await insertHistoryEvent({
      orgId: api.orgId,
      at,
      type: "plan_group.updated",
      objectId: "pgrp_x",
      data: JSON.stringify(groupState("pgrp_x", { name: "New", updatedAt: at })),
      previous: JSON.stringify(groupState("pgrp_x", { name: "Old" })),
      requestId: "req_history",
      idempotencyKey: null,
    });
    expect(await getEvent(api, id)).toEqual({
      object: "event",
      livemode: false,
      id,
      type: "plan_group.updated",
      createdAt: new Date(at).toISOString(),
      apiVersion: "2026-07-11",
      data: {
        object: "plan_group",
        livemode: false,
        id: "pgrp_x",
        name: "New",
        description: null,
        isPublic: true,
        plans: [],
        createdAt: new Date(0).toISOString(),
        updatedAt: new Date(at).toISOString(),
      },
      previousAttributes: { name: "Old" },
      request: { id: "req_history", idempotencyKey: null },
    });
  });

  it("an event in both databases answers once, the same", async () => {
    const api = await client();
    const at = Date.now() - 60_000;
    const id = await insertOutboxEvent({ orgId: api.orgId, at, dispatchedAt: Date.now() });
    await insertHistoryEvent({ orgId: api.orgId, at, id });
    expect((await getEvent(api, id)).id).toBe(id);
  });

  it("data: null when the stored object cannot be read", async () => {
    const api = await client();
    const id = await insertHistoryEvent({ orgId: api.orgId, at: Date.now(), data: null });
    expect(await getEvent(api, id)).toMatchObject({ id, data: null, previousAttributes: null });
  });

  it("404 event_not_found for an unknown, malformed, foreign, other-mode, test or expired event", async () => {
    const orgId = uniqueOrg();
    const api = await client(orgId);
    const live = await client(orgId, "live");
    const other = await client();
    await other.post("/plan-groups", { name: "G" });
    const [foreign] = (await listEvents(other)).data;
    const otherMode = await insertHistoryEvent({ orgId, mode: "live", at: Date.now() });
    const testSend = await insertHistoryEvent({
      orgId,
      at: Date.now(),
      type: "webhook.test",
      data: JSON.stringify({ message: "test" }),
    });
    const expired = await insertHistoryEvent({ orgId, at: Date.now() - 31 * DAY });
    const expiredInOutbox = await insertOutboxEvent({
      orgId,
      at: Date.now() - 31 * DAY,
      dispatchedAt: Date.now() - 31 * DAY,
    });
    for (const id of [
      "whev_00000000000000000000000000",
      "nope",
      foreign?.id as string,
      otherMode,
      testSend,
      expired,
      expiredInOutbox,
    ]) {
      expectError(await api.get(`/events/${id}`), 404, "event_not_found", "id");
    }
    // The live key sees its own event, and never the test one.
    expect((await getEvent(live, otherMode)).livemode).toBe(true);
    expectError(await live.get(`/events/${foreign?.id}`), 404, "event_not_found", "id");
  });

  it("400 for an ID longer than any", async () => {
    const api = await client();
    expectError(await api.get(`/events/${"x".repeat(256)}`), 400, "validation_error", "id");
  });
});
