import { describe, expect, it } from "vitest";
import { createPlan, groupWithPlans, memberIds } from "../helpers/factories";
import { client } from "../helpers/http";

describe("concurrent writes on one group", () => {
  it("20 concurrent adds land with 20 distinct dense positions", async () => {
    const api = await client();
    const { group } = await groupWithPlans(api, 0);
    const plans = await Promise.all(Array.from({ length: 20 }, () => createPlan(api)));
    const results = await Promise.all(
      plans.map((p, i) =>
        api.post(`/plan-groups/${group.id}/plans`, {
          planId: p.id,
          ...(i % 2 ? { sortOrder: 0 } : {}),
        }),
      ),
    );
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
    const ids = await memberIds(api, group.id);
    expect(new Set(ids)).toEqual(new Set(plans.map((p) => p.id)));
  });

  it("the same plan added to two groups at once lands in exactly one", async () => {
    const api = await client();
    const { group: a } = await groupWithPlans(api, 1);
    const { group: b } = await groupWithPlans(api, 1);
    const plan = await createPlan(api);
    const [ra, rb] = await Promise.all([
      api.post(`/plan-groups/${a.id}/plans`, { planId: plan.id }),
      api.post(`/plan-groups/${b.id}/plans`, { planId: plan.id }),
    ]);
    expect([ra.status, rb.status].sort()).toEqual([200, 409]);
    const inA = (await memberIds(api, a.id)).includes(plan.id);
    const inB = (await memberIds(api, b.id)).includes(plan.id);
    expect(inA !== inB).toBe(true);
  });

  it("a reorder racing an add either runs first or fails validation", async () => {
    const api = await client();
    const { group, planIds } = await groupWithPlans(api, 5);
    const newcomer = await createPlan(api);
    const reversed = planIds.slice().reverse();
    const [reorder, add] = await Promise.all([
      api.put(`/plan-groups/${group.id}/plans/reorder`, { planIds: reversed }),
      api.post(`/plan-groups/${group.id}/plans`, { planId: newcomer.id }),
    ]);
    expect(add.status).toBe(200);
    const ids = await memberIds(api, group.id);
    expect(ids).toHaveLength(6);
    if (reorder.status === 200) expect(ids).toEqual([...reversed, newcomer.id]);
    else {
      expect(reorder.status).toBe(400);
      expect(ids).toEqual([...planIds, newcomer.id]);
    }
  });

  it("concurrent removes, adds and deletes keep positions dense", async () => {
    const api = await client();
    const { group, planIds } = await groupWithPlans(api, 10);
    const fresh = await Promise.all(Array.from({ length: 5 }, () => createPlan(api)));
    await Promise.all([
      ...planIds.slice(0, 3).map((id) => api.del(`/plan-groups/${group.id}/plans/${id}`)),
      ...planIds.slice(3, 5).map((id) => api.del(`/plans/${id}/manage`)),
      ...fresh.map((p, i) =>
        api.post(`/plan-groups/${group.id}/plans`, { planId: p.id, sortOrder: i * 2 }),
      ),
    ]);
    const ids = await memberIds(api, group.id);
    expect(new Set(ids)).toEqual(new Set([...planIds.slice(5), ...fresh.map((p) => p.id)]));
  });
});
