import { describe, expect, it } from "vitest";
import {
  alreadySeeded,
  type Call,
  DEMO_GROUPS,
  DEMO_UNGROUPED,
  SeedError,
  seedCatalog,
} from "../../scripts/lib/seed-catalog";
import { client } from "../helpers/http";

/** npm run seed's calls, made to the worker with a fresh organization's key. */
async function seedClient(): Promise<Call> {
  const api = await client(undefined, "test", "2026-07-31");
  return async (method, path, body) => {
    const res = await api.call(method, path, body === undefined ? {} : { body });
    return { status: res.status, body: res.body };
  };
}

describe("npm run seed's demo catalog", () => {
  it("goes through the API: groups hold their plans in order, the retired plan none", async () => {
    const call = await seedClient();
    expect(await alreadySeeded(call)).toBe(false);
    const seeded = await seedCatalog(call);
    expect(await alreadySeeded(call)).toBe(true);

    for (const [i, group] of DEMO_GROUPS.entries()) {
      const made = seeded.groups[i];
      const detail = await call("GET", `/plan-groups/${made?.id}`);
      expect(detail.body).toMatchObject({
        name: group.name,
        plans: group.plans.map((p, sortOrder) => ({ name: p.name, sortOrder })),
      });
    }
    for (const plan of DEMO_UNGROUPED) {
      const got = await call("GET", `/plans/${plan.code}`);
      expect(got.body).toMatchObject({ code: plan.code, planGroupId: null, isPublic: false });
    }
    // Each write recorded its event, as a client's would.
    const events = await call("GET", "/events?limit=100");
    const types = (events.body as { data: { type: string }[] }).data.map((e) => e.type);
    expect(types.filter((t) => t === "plan.created")).toHaveLength(
      DEMO_GROUPS.flatMap((g) => g.plans).length + DEMO_UNGROUPED.length,
    );
    expect(types.filter((t) => t === "plan_group.created")).toHaveLength(DEMO_GROUPS.length);
  });

  it("stops at the first refusal, in the API's words", async () => {
    const call = await seedClient();
    await seedCatalog(call);
    await expect(seedCatalog(call)).rejects.toThrow(SeedError);
    await expect(seedCatalog(call)).rejects.toThrow(/POST \/plans answered 409: duplicate /);
  });
});
