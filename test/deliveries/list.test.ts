import { describe, expect, it } from "vitest";
import { DAY, HOUR, insertDelivery, insertEvent, setup } from "../helpers/history";
import { client, expectError } from "../helpers/http";
import { createEndpoint } from "../helpers/webhooks";

type Attempt = {
  at: string;
  responseStatus: number | null;
  durationMs: number;
  error: string | null;
  responseExcerpt: string | null;
};
type Delivery = {
  object: string;
  livemode: boolean;
  id: string;
  endpointId: string;
  eventId: string;
  type: string;
  status: string;
  attemptCount: number;
  nextAttemptAt: string | null;
  createdAt: string;
  attempts: Attempt[];
};
type List = { object: "list"; data: Delivery[]; hasMore: boolean; nextCursor?: string };

describe("GET /webhooks/{id}/deliveries", () => {
  it("lists the endpoint's deliveries newest first, each with its last 5 attempts oldest first", async () => {
    const { api, endpoint } = await setup();
    const t = Date.now() - 2 * HOUR;
    const old = await insertEvent(endpoint, { createdAt: t });
    const recent = await insertEvent(endpoint, { type: "plan_group.updated", createdAt: t + 1000 });
    const failed = await insertDelivery(endpoint, old, { status: "failed", attempts: 7 });
    const pending = await insertDelivery(endpoint, recent, { status: "pending", attempts: 2 });

    const res = await api.get<List>(`/webhooks/${endpoint.id}/deliveries`);
    expect(res.status).toBe(200);
    expect(res.body.object).toBe("list");
    expect(res.body.hasMore).toBe(false);
    expect(res.body).not.toHaveProperty("nextCursor");
    expect(res.body.data.map((d) => d.id)).toEqual([pending, failed]);
    const [p, f] = res.body.data;
    expect(p).toEqual({
      object: "webhook_delivery",
      livemode: false,
      id: pending,
      endpointId: endpoint.id,
      eventId: recent.id,
      type: "plan_group.updated",
      status: "pending",
      attemptCount: 2,
      nextAttemptAt: new Date(recent.createdAt + 60_000).toISOString(),
      createdAt: new Date(recent.createdAt).toISOString(),
      attempts: [1, 2].map((n) => ({
        at: new Date(recent.createdAt + n).toISOString(),
        responseStatus: 500,
        durationMs: 10 + n,
        error: null,
        responseExcerpt: `answer ${n}`,
      })),
    });
    expect(f?.status).toBe("failed");
    expect(f?.attemptCount).toBe(7);
    expect(f?.nextAttemptAt).toBeNull();
    expect(f?.attempts.map((a) => a.responseExcerpt)).toEqual(
      [3, 4, 5, 6, 7].map((n) => `answer ${n}`),
    );
  });

  it("shows a delivery without attempts with an empty list, and nextAttemptAt only while pending", async () => {
    const { api, endpoint } = await setup();
    const event = await insertEvent(endpoint);
    // A finished delivery may keep a stale next_attempt_at: it is not shown.
    const dropped = await insertDelivery(endpoint, event, {
      status: "dropped",
      nextAttemptAt: Date.now(),
    });
    const res = await api.get<List>(`/webhooks/${endpoint.id}/deliveries`);
    expect(res.body.data).toMatchObject([
      { id: dropped, status: "dropped", attemptCount: 0, nextAttemptAt: null, attempts: [] },
    ]);
  });

  it("filters by status and by type, alone or together", async () => {
    const { api, endpoint } = await setup();
    const seeded: Record<string, string> = {};
    for (const [status, type] of [
      ["pending", "plan.created"],
      ["succeeded", "plan.created"],
      ["failed", "plan.updated"],
      ["dropped", "plan.updated"],
      ["succeeded", "webhook.test"],
    ] as const) {
      const event = await insertEvent(endpoint, { type });
      seeded[`${status} ${type}`] = await insertDelivery(endpoint, event, { status });
    }
    const ids = async (query: string) =>
      (await api.get<List>(`/webhooks/${endpoint.id}/deliveries?${query}`)).body.data.map(
        (d) => d.id,
      );
    expect(await ids("status=succeeded")).toEqual([
      seeded["succeeded webhook.test"],
      seeded["succeeded plan.created"],
    ]);
    expect(await ids("status=pending")).toEqual([seeded["pending plan.created"]]);
    expect(await ids("type=plan.updated")).toEqual([
      seeded["dropped plan.updated"],
      seeded["failed plan.updated"],
    ]);
    expect(await ids("type=webhook.test")).toEqual([seeded["succeeded webhook.test"]]);
    expect(await ids("status=failed&type=plan.updated")).toEqual([seeded["failed plan.updated"]]);
    expect(await ids("status=failed&type=plan.created")).toEqual([]);
    expect(await ids("")).toHaveLength(5);
  });

  it("pages with a cursor: every delivery once, under its filters only", async () => {
    const { api, endpoint } = await setup();
    const expected: string[] = [];
    for (let i = 0; i < 7; i++) {
      const event = await insertEvent(endpoint, { createdAt: Date.now() - DAY + i });
      expected.unshift(await insertDelivery(endpoint, event, { status: "failed" }));
    }
    const seen: string[] = [];
    let path = `/webhooks/${endpoint.id}/deliveries?limit=3&status=failed`;
    for (;;) {
      const res = await api.get<List>(path);
      expect(res.status).toBe(200);
      seen.push(...res.body.data.map((d) => d.id));
      if (!res.body.hasMore) break;
      expect(res.body.data).toHaveLength(3);
      path = `/webhooks/${endpoint.id}/deliveries?limit=3&status=failed&cursor=${res.body.nextCursor}`;
    }
    expect(seen).toEqual(expected);

    const first = await api.get<List>(`/webhooks/${endpoint.id}/deliveries?limit=2&status=failed`);
    const cursor = first.body.nextCursor ?? "";
    // The cursor belongs to this endpoint and these filters.
    expectError(
      await api.get(`/webhooks/${endpoint.id}/deliveries?limit=2&cursor=${cursor}`),
      400,
      "validation_error",
      "cursor",
    );
    const other = await createEndpoint({ orgId: api.orgId, url: "https://hooks.invalid/b" });
    expectError(
      await api.get(`/webhooks/${other.id}/deliveries?status=failed&cursor=${cursor}`),
      400,
      "validation_error",
      "cursor",
    );
    const stranger = await client(undefined, "test", "2026-07-31");
    expectError(
      await stranger.get(`/webhooks/${endpoint.id}/deliveries?status=failed&cursor=${cursor}`),
      400,
      "validation_error",
      "cursor",
    );
  });

  it.each([
    ["status=given_up", "status"],
    ["status=", "status"],
    ["type=plan.exploded", "type"],
    ["type=*", "type"],
    ["limit=0", "limit"],
    ["limit=101", "limit"],
    ["cursor=nope", "cursor"],
  ])("refuses ?%s naming %s", async (query, param) => {
    const { api, endpoint } = await setup();
    const res = await api.get(`/webhooks/${endpoint.id}/deliveries?${query}`);
    expectError(res, 400, "validation_error", param);
  });

  it("answers 404 webhook_not_found for an unknown or foreign endpoint, and lists only its own", async () => {
    const { api, endpoint } = await setup();
    const event = await insertEvent(endpoint);
    await insertDelivery(endpoint, event);
    expectError(await api.get("/webhooks/whep_nope/deliveries"), 404, "webhook_not_found", "id");

    const stranger = await client(undefined, "test", "2026-07-31");
    expectError(
      await stranger.get(`/webhooks/${endpoint.id}/deliveries`),
      404,
      "webhook_not_found",
      "id",
    );
    // The same organization in live mode is another world.
    const live = await client(api.orgId, "live", "2026-07-31");
    expectError(
      await live.get(`/webhooks/${endpoint.id}/deliveries`),
      404,
      "webhook_not_found",
      "id",
    );
    // A sibling endpoint of the same organization lists none of them.
    const sibling = await createEndpoint({ orgId: api.orgId, url: "https://hooks.invalid/s" });
    const res = await api.get<List>(`/webhooks/${sibling.id}/deliveries`);
    expect(res.body).toEqual({ object: "list", data: [], hasMore: false });
  });

  it("answers in the envelope under 2026-07-11", async () => {
    const { api, endpoint } = await setup({ version: "2026-07-11", mode: "live" });
    const event = await insertEvent(endpoint);
    const id = await insertDelivery(endpoint, event, { status: "succeeded" });
    const res = await api.get<{ success: boolean; data: Delivery[]; hasMore: boolean }>(
      `/webhooks/${endpoint.id}/deliveries`,
    );
    expect(res.headers.get("commet-version")).toBe("2026-07-11");
    expect(res.body).toMatchObject({
      success: true,
      hasMore: false,
      data: [{ object: "webhook_delivery", livemode: true, id, status: "succeeded" }],
    });
    expect(res.body).not.toHaveProperty("object");
  });
});
