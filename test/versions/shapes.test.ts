import { describe, expect, it } from "vitest";
import type { ApiVersion } from "../../src/versions/ids";
import { type ApiResponse, type Client, client } from "../helpers/http";
import { API_ROUTES } from "../helpers/routes";

type Id = { id: string };

/** The documented schema of `operationId`'s answer with `status`, in `version`. */
function schemaOf(operationId: string, version: ApiVersion, status: number) {
  const route = API_ROUTES.find((r) => r.operationId === operationId);
  const schema = route?.responses[version].get(status)?.schema;
  if (!schema) throw new Error(`${operationId} documents no ${status} in ${version}`);
  return schema;
}

/** Asserts the answer is exactly what `version` documents for it (strict: no extra fields). */
function expectShape(operationId: string, version: ApiVersion, res: ApiResponse, status = 200) {
  expect(res.status, `${operationId}: ${res.text.slice(0, 300)}`).toBe(status);
  expect(res.headers.get("commet-version")).toBe(version);
  const parsed = schemaOf(operationId, version, status).safeParse(res.body);
  expect(parsed.success, `${operationId} ${version}: ${parsed.error?.message}`).toBe(true);
  return res.body as Record<string, unknown>;
}

/** Every operation once, in order, on the paths of `paths`; returns each answer by operationId. */
async function everyOperation(api: Client, paths: "2026-07-11" | "2026-07-31") {
  const current = paths === "2026-07-31";
  const out = new Map<string, ApiResponse>();
  const send = async (id: string, res: Promise<ApiResponse>) => {
    const r = await res;
    out.set(id, r);
    return r;
  };
  const unwrap = <T>(r: ApiResponse) => ((r.body as { data?: T }).data ?? (r.body as T)) as T;
  const create = (body: object) =>
    current ? api.post("/plans", body) : api.post("/plans/manage", body);
  const group = unwrap<Id>(
    await send("create-plan-group", api.post("/plan-groups", { name: "G" })),
  );
  const a = unwrap<Id>(
    await send("create-plan", create({ name: "A", code: `a_${paths.replaceAll("-", "")}` })),
  );
  const b = unwrap<Id>(
    await api.post("/plans/manage", { name: "B", code: `b_${paths.replaceAll("-", "")}` }),
  );
  await send("list-plan-groups", api.get("/plan-groups?limit=1"));
  await send("add-plan-to-group", api.post(`/plan-groups/${group.id}/plans`, { planId: a.id }));
  await api.post(`/plan-groups/${group.id}/plans`, { planId: b.id });
  await send("get-plan-group", api.get(`/plan-groups/${group.id}`));
  await send(
    "reorder-plans-in-group",
    api.put(`/plan-groups/${group.id}/plans/reorder`, { planIds: [b.id, a.id] }),
  );
  await send("update-plan-group", api.put(`/plan-groups/${group.id}`, { name: "G2" }));
  await send("patch-plan-group", api.patch(`/plan-groups/${group.id}`, { isPublic: false }));
  await send("list-plans", api.get("/plans?includePrivate=true&limit=1"));
  await send("get-plan", api.get(`/plans/${a.id}`));
  await send(
    "update-plan",
    current
      ? api.patch(`/plans/${a.id}`, { name: "A2" })
      : api.put(`/plans/${a.id}/manage`, { name: "A2" }),
  );
  await send("set-plan-visibility", api.put(`/plans/${a.id}/visibility`, { isPublic: false }));
  await send("remove-plan-from-group", api.del(`/plan-groups/${group.id}/plans/${b.id}`));
  await send("delete-plan", current ? api.del(`/plans/${a.id}`) : api.del(`/plans/${a.id}/manage`));
  await send("delete-plan-group", api.del(`/plan-groups/${group.id}`));
  return out;
}

const CREATED = new Set(["create-plan-group", "create-plan"]);

describe.each(["2026-07-11", "2026-07-31"] as const)("every operation in %s", (version) => {
  it.each(["2026-07-11", "2026-07-31"] as const)(
    "answers exactly the documented shapes, on the paths of %s",
    async (paths) => {
      const api = await client(undefined, "test", version);
      const answers = await everyOperation(api, paths);
      expect(answers.size).toBe(15);
      for (const [id, res] of answers) expectShape(id, version, res, CREATED.has(id) ? 201 : 200);
    },
  );
});

describe("2026-07-31 shapes", () => {
  it("returns objects directly, lists as { object: list }, errors as { error }", async () => {
    const api = await client(undefined, "live", "2026-07-31");
    const group = (await api.post("/plan-groups", { name: "Direct" })).body as Record<
      string,
      unknown
    >;
    expect(group).toMatchObject({ object: "plan_group", livemode: true, name: "Direct" });
    expect(group).not.toHaveProperty("plans");
    expect(group).not.toHaveProperty("success");
    const plan = (await api.post("/plans", { name: "P", code: "p", planGroupId: group.id }))
      .body as Record<string, unknown>;
    expect(plan).toMatchObject({ features: [], prices: [], exchangeRates: [], sortOrder: 0 });
    const detail = (await api.get(`/plan-groups/${group.id}`)).body;
    expect(detail).toMatchObject({ plans: [{ id: plan.id, name: "P", sortOrder: 0 }] });
    const list = await api.get("/plan-groups?limit=1");
    expect(list.body).toMatchObject({ object: "list", hasMore: false, data: [{ id: group.id }] });
    expect(list.body).not.toHaveProperty("nextCursor");
    const added = (await api.post(`/plan-groups/${group.id}/plans`, { planId: plan.id })).body;
    expect(added).toMatchObject({ error: { code: "duplicate", param: "planId" } });
    expect(added).not.toHaveProperty("success");
    const other = (await api.post("/plans", { name: "Q", code: "q" })).body as Record<
      string,
      unknown
    >;
    expect(
      (await api.post(`/plan-groups/${group.id}/plans`, { planId: other.id, sortOrder: 0 })).body,
    ).toEqual({
      object: "plan_group_membership",
      livemode: true,
      success: true,
      planGroupId: group.id,
      planId: other.id,
      sortOrder: 0,
    });
    expect(
      (await api.put(`/plans/${other.id}/visibility`, { isPublic: false })).body,
    ).toMatchObject({ object: "plan", id: other.id, isPublic: false, features: [] });
  });

  it("pages with nextCursor only while hasMore", async () => {
    const api = await client(undefined, "test", "2026-07-31");
    for (const name of ["a", "b", "c"]) await api.post("/plan-groups", { name });
    const first = await api.get<{ hasMore: boolean; nextCursor?: string; data: Id[] }>(
      "/plan-groups?limit=2",
    );
    expect(first.body).toMatchObject({ object: "list", hasMore: true });
    const second = await api.get<{ hasMore: boolean; data: Id[] }>(
      `/plan-groups?limit=2&cursor=${first.body.nextCursor}`,
    );
    expect(second.body.hasMore).toBe(false);
    expect([...first.body.data, ...second.body.data].map((g) => g.id)).toHaveLength(3);
  });
});
