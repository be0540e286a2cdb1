import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { faultyD1 } from "../helpers/faulty-d1";
import { type Client, client } from "../helpers/http";

type Id = { id: string };
type EventRow = { id: string; type: string; data: string | null; mode: string };

/** The events recorded for an organization, oldest first. */
async function events(orgId: string): Promise<EventRow[]> {
  const { results } = await env.DB.prepare(
    "SELECT id, type, data, mode FROM webhook_events WHERE org_id = ? ORDER BY id",
  )
    .bind(orgId)
    .all<EventRow>();
  return results;
}

/** What one request recorded: the types of the events that appeared during it. */
async function recorded(api: Client, send: () => Promise<unknown>) {
  const before = new Set((await events(api.orgId)).map((e) => e.id));
  await send();
  return (await events(api.orgId)).filter((e) => !before.has(e.id));
}

const types = (rows: EventRow[]) => rows.map((e) => e.type).sort();

/**
 * A client whose organization has an endpoint for every event, so events
 * carry their data (an event nobody subscribes to is only its row). The
 * endpoint's name has no address (test DNS): deliveries fail quietly after
 * the test, sending nothing.
 */
async function subscribed(mode: "test" | "live" = "test") {
  const api = await client(undefined, mode, "2026-07-31");
  const url =
    mode === "live" ? "https://receiver.invalid/hooks" : "http://receiver.invalid:9/hooks";
  expect((await api.post("/webhooks", { url, events: ["*"] })).status).toBe(201);
  return api;
}
const dataOf = (row: EventRow | undefined) => JSON.parse(row?.data ?? "null");

describe("the outbox: which write fires what", () => {
  it("plan group create, update (only when something changed), delete", async () => {
    const api = await subscribed();
    let group: Id = { id: "" };
    const created = await recorded(api, async () => {
      group = (await api.post<Id>("/plan-groups", { name: "G" })).body;
    });
    expect(types(created)).toEqual(["plan_group.created"]);
    expect(dataOf(created[0])).toMatchObject({ id: group.id, name: "G", plans: [] });
    const updated = await recorded(api, () => api.patch(`/plan-groups/${group.id}`, { name: "H" }));
    expect(types(updated)).toEqual(["plan_group.updated"]);
    expect(dataOf(updated[0])).toMatchObject({ name: "H" });
    expect(await recorded(api, () => api.patch(`/plan-groups/${group.id}`, { name: "H" }))).toEqual(
      [],
    );
    expect(await recorded(api, () => api.put(`/plan-groups/${group.id}`, {}))).toEqual([]);
    const plan = (await api.post<Id>("/plans", { name: "P", code: "p", planGroupId: group.id }))
      .body;
    const deleted = await recorded(api, () => api.del(`/plan-groups/${group.id}`));
    expect(types(deleted)).toEqual(["plan_group.deleted"]);
    // The group as it was, with its plans before they were unlinked.
    expect(dataOf(deleted[0])).toMatchObject({
      id: group.id,
      plans: [{ id: plan.id, sortOrder: 0 }],
    });
  });

  it("add, remove and reorder fire one group event each, not one per shifted plan", async () => {
    const api = await subscribed();
    const group = (await api.post<Id>("/plan-groups", { name: "G" })).body;
    const ids: string[] = [];
    for (const code of ["a", "b", "c"]) {
      ids.push((await api.post<Id>("/plans", { name: code, code })).body.id);
    }
    const [a, b, c] = ids as [string, string, string];
    await api.post(`/plan-groups/${group.id}/plans`, { planId: a });
    await api.post(`/plan-groups/${group.id}/plans`, { planId: b });
    const added = await recorded(api, () =>
      api.post(`/plan-groups/${group.id}/plans`, { planId: c, sortOrder: 0 }),
    );
    expect(types(added)).toEqual(["plan_group.plan_added"]);
    expect(dataOf(added[0]).plans.map((p: Id) => p.id)).toEqual([c, a, b]);
    const reordered = await recorded(api, () =>
      api.put(`/plan-groups/${group.id}/plans/reorder`, { planIds: [a, b, c] }),
    );
    expect(types(reordered)).toEqual(["plan_group.plans_reordered"]);
    expect(dataOf(reordered[0]).plans.map((p: Id) => p.id)).toEqual([a, b, c]);
    // An order that changes nothing writes nothing, and records nothing.
    expect(
      await recorded(api, () =>
        api.put(`/plan-groups/${group.id}/plans/reorder`, { planIds: [a, b, c] }),
      ),
    ).toEqual([]);
    // Neither does a list that is not the group's members, even one that would move plans.
    expect(
      await recorded(api, async () => {
        const res = await api.put(`/plan-groups/${group.id}/plans/reorder`, { planIds: [c, b] });
        expect(res.status).toBe(400);
      }),
    ).toEqual([]);
    const removed = await recorded(api, () => api.del(`/plan-groups/${group.id}/plans/${a}`));
    expect(types(removed)).toEqual(["plan_group.plan_removed"]);
    expect(dataOf(removed[0]).plans).toEqual([
      { id: b, name: "b", sortOrder: 0 },
      { id: c, name: "c", sortOrder: 1 },
    ]);
  });

  it("plan create (also into a group), update, visibility and delete (also from a group)", async () => {
    const api = await subscribed("live");
    const group = (await api.post<Id>("/plan-groups", { name: "G" })).body;
    const alone = await recorded(api, () => api.post("/plans", { name: "A", code: "a" }));
    expect(types(alone)).toEqual(["plan.created"]);
    expect(alone[0]?.mode).toBe("live");
    let plan: Id = { id: "" };
    const into = await recorded(api, async () => {
      plan = (await api.post<Id>("/plans", { name: "B", code: "b", planGroupId: group.id })).body;
    });
    expect(types(into)).toEqual(["plan.created", "plan_group.plan_added"]);
    expect(dataOf(into.find((e) => e.type === "plan.created"))).toMatchObject({
      id: plan.id,
      planGroupId: group.id,
      sortOrder: 0,
      isPublic: true,
      metadata: null,
    });
    const updated = await recorded(api, () =>
      api.patch(`/plans/${plan.id}`, { metadata: { tier: "pro" } }),
    );
    expect(types(updated)).toEqual(["plan.updated"]);
    expect(dataOf(updated[0]).metadata).toEqual({ tier: "pro" });
    expect(
      await recorded(api, () => api.patch(`/plans/${plan.id}`, { metadata: { tier: "pro" } })),
    ).toEqual([]);
    const hidden = await recorded(api, () =>
      api.put(`/plans/${plan.id}/visibility`, { isPublic: false }),
    );
    expect(types(hidden)).toEqual(["plan.updated"]);
    expect(dataOf(hidden[0]).isPublic).toBe(false);
    const deleted = await recorded(api, () => api.del(`/plans/${plan.id}`));
    expect(types(deleted)).toEqual(["plan.deleted", "plan_group.plan_removed"]);
    expect(dataOf(deleted.find((e) => e.type === "plan.deleted"))).toMatchObject({
      id: plan.id,
      planGroupId: group.id,
    });
    expect(dataOf(deleted.find((e) => e.type === "plan_group.plan_removed")).plans).toEqual([]);
    const lone = (await api.get<{ data: Id[] }>("/plans?includePrivate=true")).body.data[0] as Id;
    expect(types(await recorded(api, () => api.del(`/plans/${lone.id}`)))).toEqual([
      "plan.deleted",
    ]);
  });

  it("a refused write records nothing", async () => {
    const api = await subscribed();
    const plan = (await api.post<Id>("/plans", { name: "P", code: "p" })).body;
    expect(await recorded(api, () => api.post("/plans", { name: "P", code: "p" }))).toEqual([]);
    expect(
      await recorded(api, () => api.post("/plan-groups/pgrp_missing/plans", { planId: plan.id })),
    ).toEqual([]);
    expect(await recorded(api, () => api.del("/plans/plan_missing"))).toEqual([]);
  });
});

describe("events nobody subscribes to", () => {
  it("are recorded with their data and handed on like any other: the events API lists them", async () => {
    const api = await client(undefined, "test", "2026-07-31");
    const rows = await recorded(api, () => api.post("/plan-groups", { name: "G" }));
    expect(rows).toEqual([
      expect.objectContaining({ type: "plan_group.created", data: expect.stringContaining('"G"') }),
    ]);
  });
});

describe("the outbox is atomic with the change", () => {
  it("no event without its change, no change without its event", async () => {
    const api = await subscribed();
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const ctx = createExecutionContext();
    const failing = faultyD1((sql) =>
      sql.some((s) => s.startsWith('insert into "webhook_events"')) ? "fail" : "ok",
    );
    const res = await worker.fetch(
      new Request("http://api.test/api/v1/plan-groups", {
        method: "POST",
        headers: {
          "x-api-key": api.key,
          "content-type": "application/json",
          "Commet-Version": "2026-07-31",
        },
        body: JSON.stringify({ name: "Never" }),
      }),
      { ...env, DB: failing },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    log.mockRestore();
    // The batch that would record the event failed: the group was not created either.
    expect(res.status).toBe(500);
    expect((await api.get<{ data: Id[] }>("/plan-groups")).body.data).toEqual([]);
    expect(await events(api.orgId)).toEqual([]);
  });
});
