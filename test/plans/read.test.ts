import { describe, expect, it } from "vitest";
import { createPlan, type Envelope, type PlanData } from "../helpers/factories";
import { type Client, client, expectError } from "../helpers/http";

async function walk(api: Client, query: string) {
  const seen: string[] = [];
  let cursor: string | undefined;
  do {
    const res = await api.get<Envelope<PlanData[]>>(
      `/plans?limit=2${query}${cursor ? `&cursor=${cursor}` : ""}`,
    );
    expect(res.status, res.text).toBe(200);
    seen.push(...res.body.data.map((p) => p.id));
    cursor = res.body.nextCursor;
    await createPlan(api);
  } while (cursor);
  return seen;
}

describe("GET /plans/{id} (an ID or a code)", () => {
  it("finds a plan by id and by code", async () => {
    const api = await client();
    const plan = await createPlan(api, { code: "by_code" });
    const byId = await api.get<Envelope<PlanData>>(`/plans/${plan.id}`);
    const byCode = await api.get<Envelope<PlanData>>("/plans/by_code");
    expect(byId.body.data).toEqual(plan);
    expect(byCode.body.data).toEqual(plan);
  });

  it("prefers the id when a code looks like another plan's id", async () => {
    const api = await client();
    const a = await createPlan(api);
    const b = await createPlan(api, { code: a.id });
    expect((await api.get<Envelope<PlanData>>(`/plans/${a.id}`)).body.data.id).toBe(a.id);
    expect(b.code).toBe(a.id);
  });

  it("is 404 for unknown, foreign and other-mode plans", async () => {
    const api = await client();
    const plan = await createPlan(api, { code: "mine" });
    const other = await client();
    const live = await client(api.orgId, "live");
    for (const c of [other, live]) {
      expectError(await c.get(`/plans/${plan.id}`), 404, "plan_not_found", "id");
      expectError(await c.get("/plans/mine"), 404, "plan_not_found", "id");
    }
    expectError(await api.get("/plans/nope"), 404, "plan_not_found", "id");
  });
});

describe("GET /plans", () => {
  it("lists public plans newest first; private ones only with includePrivate=true", async () => {
    const api = await client();
    const a = await createPlan(api);
    const hidden = await createPlan(api, { isPublic: false });
    const b = await createPlan(api);
    const pub = await api.get<Envelope<PlanData[]>>("/plans");
    expect(pub.body.data.map((p) => p.id)).toEqual([b.id, a.id]);
    expect(pub.body.hasMore).toBe(false);
    const all = await api.get<Envelope<PlanData[]>>("/plans?includePrivate=true");
    expect(all.body.data.map((p) => p.id)).toEqual([b.id, hidden.id, a.id]);
    const explicit = await api.get<Envelope<PlanData[]>>("/plans?includePrivate=false");
    expect(explicit.body.data.map((p) => p.id)).toEqual([b.id, a.id]);
  });

  it("walks 3+ pages exactly once while plans are being created", async () => {
    const api = await client();
    const before: string[] = [];
    for (let i = 0; i < 7; i++) before.push((await createPlan(api, { isPublic: i % 3 !== 0 })).id);
    const seen = await walk(api, "&includePrivate=true");
    expect(seen).toEqual(before.slice().reverse());
  });

  it("never lists other organizations' or modes' plans", async () => {
    const api = await client();
    await createPlan(api);
    const other = await client();
    const live = await client(api.orgId, "live");
    expect((await other.get("/plans?includePrivate=true")).body.data).toEqual([]);
    expect((await live.get("/plans?includePrivate=true")).body.data).toEqual([]);
  });

  it("validates query values", async () => {
    const api = await client();
    expectError(
      await api.get("/plans?includePrivate=yes"),
      400,
      "validation_error",
      "includePrivate",
    );
    expectError(await api.get("/plans?limit=0"), 400, "validation_error", "limit");
    expectError(await api.get("/plans?cursor=nope"), 400, "validation_error", "cursor");
  });

  it("rejects a cursor from the other visibility filter", async () => {
    const api = await client();
    for (let i = 0; i < 3; i++) await createPlan(api);
    const page = await api.get<Envelope<PlanData[]>>("/plans?limit=1");
    const res = await api.get(`/plans?includePrivate=true&cursor=${page.body.nextCursor}`);
    expectError(res, 400, "validation_error", "cursor");
  });
});
