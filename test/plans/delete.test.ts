import { describe, expect, it } from "vitest";
import {
  createPlan,
  type Envelope,
  getGroup,
  groupWithPlans,
  memberIds,
  type PlanData,
} from "../helpers/factories";
import { client, expectError } from "../helpers/http";

describe("DELETE /plans/{id}/manage", () => {
  it("soft deletes: gone from get and list, answers the contract shape", async () => {
    const api = await client();
    const plan = await createPlan(api, { code: "gone" });
    const res = await api.del(`/plans/${plan.id}/manage`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      data: { id: plan.id, deleted: true, object: "plan", livemode: false },
    });
    expectError(await api.get(`/plans/${plan.id}`), 404, "plan_not_found", "id");
    expectError(await api.get("/plans/gone"), 404, "plan_not_found", "id");
    const list = await api.get<Envelope<PlanData[]>>("/plans?includePrivate=true");
    expect(list.body.data).toEqual([]);
    expectError(await api.del(`/plans/${plan.id}/manage`), 404, "plan_not_found", "id");
  });

  it("leaves its group and closes the gap", async () => {
    const api = await client();
    const { group, planIds } = await groupWithPlans(api, 4);
    const before = await getGroup(api, group.id);
    await new Promise((r) => setTimeout(r, 5));
    await api.del(`/plans/${planIds[1]}/manage`);
    expect(await memberIds(api, group.id)).toEqual([planIds[0], planIds[2], planIds[3]]);
    expect((await getGroup(api, group.id)).updatedAt > before.updatedAt).toBe(true);
  });

  it("frees its code for a new plan", async () => {
    const api = await client();
    const old = await createPlan(api, { code: "reuse" });
    expectError(
      await api.post("/plans/manage", { name: "n", code: "reuse" }),
      409,
      "duplicate",
      "code",
    );
    await api.del(`/plans/${old.id}/manage`);
    const fresh = await createPlan(api, { code: "reuse" });
    expect(fresh.id).not.toBe(old.id);
    expect((await api.get<Envelope<PlanData>>("/plans/reuse")).body.data.id).toBe(fresh.id);
  });

  it("is 404 for unknown and foreign plans, leaving them alone", async () => {
    const api = await client();
    const other = await client();
    const { group, planIds } = await groupWithPlans(other, 2);
    expectError(await api.del(`/plans/${planIds[0]}/manage`), 404, "plan_not_found", "id");
    expectError(await api.del("/plans/plan_nope/manage"), 404, "plan_not_found", "id");
    expect(await memberIds(other, group.id)).toEqual(planIds);
  });
});
