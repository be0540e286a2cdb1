import { describe, expect, it } from "vitest";
import { createGroup, getGroup, getPlan, groupWithPlans, memberIds } from "../helpers/factories";
import { client, expectError } from "../helpers/http";

describe("DELETE /plan-groups/{id}/plans/{planId}", () => {
  it.each([
    ["first", 0],
    ["middle", 2],
    ["last", 4],
  ])("removes the %s plan and closes the gap", async (_, index) => {
    const api = await client();
    const { group, planIds } = await groupWithPlans(api, 5);
    const target = planIds[index] as string;
    const res = await api.del(`/plan-groups/${group.id}/plans/${target}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      data: {
        id: target,
        planGroupId: group.id,
        removed: true,
        object: "plan_group",
        livemode: false,
      },
    });
    expect(await memberIds(api, group.id)).toEqual(planIds.filter((id) => id !== target));
    expect(await getPlan(api, target)).toMatchObject({ planGroupId: null, sortOrder: 0 });
  });

  it("moves the group's updatedAt", async () => {
    const api = await client();
    const { group, planIds } = await groupWithPlans(api, 1);
    const before = await getGroup(api, group.id);
    await new Promise((r) => setTimeout(r, 5));
    await api.del(`/plan-groups/${group.id}/plans/${planIds[0]}`);
    expect((await getGroup(api, group.id)).updatedAt > before.updatedAt).toBe(true);
  });

  it("is 404 plan_not_found for a plan that is not in this group", async () => {
    const api = await client();
    const { group: a } = await groupWithPlans(api, 1);
    const { group: b, planIds } = await groupWithPlans(api, 2);
    expectError(
      await api.del(`/plan-groups/${a.id}/plans/${planIds[0]}`),
      404,
      "plan_not_found",
      "planId",
    );
    expectError(
      await api.del(`/plan-groups/${a.id}/plans/plan_nope`),
      404,
      "plan_not_found",
      "planId",
    );
    expect(await memberIds(api, b.id)).toEqual(planIds);
  });

  it("is 404 plan_group_not_found for unknown or foreign groups", async () => {
    const api = await client();
    const other = await client();
    const { group, planIds } = await groupWithPlans(other, 1);
    expectError(
      await api.del(`/plan-groups/${group.id}/plans/${planIds[0]}`),
      404,
      "plan_group_not_found",
      "id",
    );
    expectError(
      await api.del("/plan-groups/pgrp_nope/plans/plan_nope"),
      404,
      "plan_group_not_found",
      "id",
    );
    expect(await memberIds(other, group.id)).toEqual(planIds);
  });

  it("can empty a group", async () => {
    const api = await client();
    const { group, planIds } = await groupWithPlans(api, 2);
    for (const id of planIds) await api.del(`/plan-groups/${group.id}/plans/${id}`);
    expect(await memberIds(api, group.id)).toEqual([]);
    const again = await createGroup(api);
    expect((await api.post(`/plan-groups/${again.id}/plans`, { planId: planIds[0] })).status).toBe(
      200,
    );
  });
});
