import { describe, expect, it } from "vitest";
import { createGroup, createPlan, type Envelope, type PlanGroupData } from "../helpers/factories";
import { type Client, client, expectError } from "../helpers/http";

async function walk(api: Client, limit: number, between?: () => Promise<void>) {
  const seen: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const q = `?limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const res = await api.get<Envelope<PlanGroupData[]>>(`/plan-groups${q}`);
    expect(res.status, res.text).toBe(200);
    seen.push(...res.body.data.map((g) => g.id));
    expect(res.body.hasMore).toBe(res.body.nextCursor !== undefined);
    if (!res.body.hasMore) expect("nextCursor" in res.body).toBe(false);
    cursor = res.body.nextCursor;
    pages++;
    if (between) await between();
  } while (cursor);
  return { seen, pages };
}

describe("GET /plan-groups", () => {
  it("lists newest first with plans, default limit 20", async () => {
    const api = await client();
    const ids: string[] = [];
    for (let i = 0; i < 22; i++) ids.push((await createGroup(api, { name: `g${i}` })).id);
    const plan = await createPlan(api, { planGroupId: ids[21] });
    const res = await api.get<Envelope<PlanGroupData[]>>("/plan-groups");
    expect(res.body.data).toHaveLength(20);
    expect(res.body.data.map((g) => g.id)).toEqual(ids.slice().reverse().slice(0, 20));
    expect(res.body.data[0]?.plans).toEqual([{ id: plan.id, name: plan.name, sortOrder: 0 }]);
    expect(res.body.hasMore).toBe(true);
  });

  it("walks every page exactly once while groups are being created", async () => {
    const api = await client();
    const before: string[] = [];
    for (let i = 0; i < 7; i++) before.push((await createGroup(api)).id);
    const created: string[] = [];
    const { seen, pages } = await walk(api, 2, async () => {
      created.push((await createGroup(api)).id);
    });
    expect(pages).toBeGreaterThanOrEqual(3);
    expect(new Set(seen).size).toBe(seen.length);
    for (const id of before) expect(seen).toContain(id);
    // Groups created mid-walk are newer than the cursor, so they never show up in later pages.
    for (const id of created) expect(seen).not.toContain(id);
  });

  it("returns an empty list for a new organization", async () => {
    const api = await client();
    const res = await api.get("/plan-groups");
    expect(res.body).toEqual({ success: true, data: [], hasMore: false });
  });

  it.each(["0", "101", "-1", "abc", "1.5", ""])("rejects limit=%s", async (limit) => {
    const api = await client();
    expectError(await api.get(`/plan-groups?limit=${limit}`), 400, "validation_error", "limit");
  });

  it("accepts limit 1 and 100", async () => {
    const api = await client();
    await createGroup(api);
    expect((await api.get("/plan-groups?limit=1")).status).toBe(200);
    expect((await api.get("/plan-groups?limit=100")).status).toBe(200);
  });

  it("rejects tampered, garbage and foreign cursors", async () => {
    const api = await client();
    const other = await client();
    for (let i = 0; i < 3; i++) {
      await createGroup(api);
      await createGroup(other);
    }
    const page = await api.get<Envelope<PlanGroupData[]>>("/plan-groups?limit=1");
    const cursor = page.body.nextCursor as string;
    const tampered = cursor.slice(0, -2) + (cursor.endsWith("A") ? "BB" : "AA");
    for (const bad of [tampered, "garbage!", "e30", "x".repeat(600)]) {
      expectError(
        await api.get(`/plan-groups?cursor=${encodeURIComponent(bad)}`),
        400,
        "validation_error",
        "cursor",
      );
    }
    expectError(
      await other.get(`/plan-groups?cursor=${cursor}`),
      400,
      "validation_error",
      "cursor",
    );
    const live = await client(api.orgId, "live");
    expectError(await live.get(`/plan-groups?cursor=${cursor}`), 400, "validation_error", "cursor");
    // A plans cursor is not a plan-groups cursor either.
    await createPlan(api);
    await createPlan(api);
    const plansPage = await api.get<Envelope<unknown[]>>("/plans?limit=1");
    expectError(
      await api.get(`/plan-groups?cursor=${plansPage.body.nextCursor}`),
      400,
      "validation_error",
      "cursor",
    );
  });
});
