import { describe, expect, it } from "vitest";
import {
  createGroup,
  createPlan,
  getGroup,
  getPlan,
  groupWithPlans,
  memberIds,
} from "../helpers/factories";
import { client, expectError } from "../helpers/http";

describe("POST /plan-groups/{id}/plans", () => {
  it("appends by default and answers the contract shape", async () => {
    const api = await client();
    const { group, planIds } = await groupWithPlans(api, 2);
    const plan = await createPlan(api);
    const res = await api.post(`/plan-groups/${group.id}/plans`, { planId: plan.id });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      data: { success: true, object: "plan_group", livemode: false, planId: plan.id, sortOrder: 2 },
    });
    expect(await memberIds(api, group.id)).toEqual([...planIds, plan.id]);
    expect(await getPlan(api, plan.id)).toMatchObject({ planGroupId: group.id, sortOrder: 2 });
  });

  it.each([
    [0, [9, 0, 1, 2]],
    [1, [0, 9, 1, 2]],
    [2, [0, 1, 9, 2]],
    [3, [0, 1, 2, 9]],
    [50, [0, 1, 2, 9]],
  ])("inserts at sortOrder %i and shifts the rest", async (sortOrder, order) => {
    const api = await client();
    const { group, planIds } = await groupWithPlans(api, 3);
    const plan = await createPlan(api);
    const res = await api.post(`/plan-groups/${group.id}/plans`, { planId: plan.id, sortOrder });
    expect((res.body.data as { sortOrder: number }).sortOrder).toBe(Math.min(sortOrder, 3));
    const ids = [...planIds, plan.id];
    expect(await memberIds(api, group.id)).toEqual(order.map((i) => ids[i === 9 ? 3 : i]));
    for (const [position, id] of (await memberIds(api, group.id)).entries()) {
      expect((await getPlan(api, id)).sortOrder).toBe(position);
    }
  });

  it("inserts into an empty group at any position as 0", async () => {
    const api = await client();
    const group = await createGroup(api);
    const plan = await createPlan(api);
    const res = await api.post(`/plan-groups/${group.id}/plans`, { planId: plan.id, sortOrder: 7 });
    expect((res.body.data as { sortOrder: number }).sortOrder).toBe(0);
  });

  it("moves the group's updatedAt", async () => {
    const api = await client();
    const group = await createGroup(api);
    const plan = await createPlan(api);
    await new Promise((r) => setTimeout(r, 5));
    await api.post(`/plan-groups/${group.id}/plans`, { planId: plan.id });
    expect((await getGroup(api, group.id)).updatedAt > group.updatedAt).toBe(true);
  });

  it("refuses a plan already in this or another group, never moving it", async () => {
    const api = await client();
    const { group: a, planIds } = await groupWithPlans(api, 2);
    const b = await createGroup(api);
    expectError(
      await api.post(`/plan-groups/${a.id}/plans`, { planId: planIds[0] }),
      409,
      "duplicate",
      "planId",
    );
    expectError(
      await api.post(`/plan-groups/${b.id}/plans`, { planId: planIds[1] }),
      409,
      "duplicate",
      "planId",
    );
    expect(await memberIds(api, a.id)).toEqual(planIds);
    expect(await memberIds(api, b.id)).toEqual([]);
  });

  it("is 404 for unknown or deleted plans and unknown groups", async () => {
    const api = await client();
    const group = await createGroup(api);
    const plan = await createPlan(api);
    await api.del(`/plans/${plan.id}/manage`);
    expectError(
      await api.post(`/plan-groups/${group.id}/plans`, { planId: "plan_nope" }),
      404,
      "plan_not_found",
      "planId",
    );
    expectError(
      await api.post(`/plan-groups/${group.id}/plans`, { planId: plan.id }),
      404,
      "plan_not_found",
      "planId",
    );
    const live = await createPlan(api);
    expectError(
      await api.post("/plan-groups/pgrp_nope/plans", { planId: live.id }),
      404,
      "plan_group_not_found",
      "id",
    );
    expect((await getPlan(api, live.id)).planGroupId).toBeNull();
  });

  it("refuses the 101st plan with limit_exceeded", async () => {
    const api = await client();
    const { group } = await groupWithPlans(api, 100);
    const extra = await createPlan(api);
    expectError(
      await api.post(`/plan-groups/${group.id}/plans`, { planId: extra.id }),
      409,
      "limit_exceeded",
      "id",
    );
    expectError(
      await api.post("/plans/manage", { name: "x", code: "overflow", planGroupId: group.id }),
      409,
      "limit_exceeded",
      "planGroupId",
    );
    expect(await memberIds(api, group.id)).toHaveLength(100);
    expectError(await api.get("/plans/overflow"), 404, "plan_not_found", "id");
  });

  it.each([
    [{}, "planId"],
    [{ planId: "" }, "planId"],
    [{ planId: 7 }, "planId"],
    [{ planId: "plan_x", sortOrder: -1 }, "sortOrder"],
    [{ planId: "plan_x", sortOrder: 1.5 }, "sortOrder"],
    [{ planId: "plan_x", sortOrder: "1" }, "sortOrder"],
    [{ planId: "plan_x", position: 1 }, "position"],
  ])("rejects %j", async (body, param) => {
    const api = await client();
    const group = await createGroup(api);
    expectError(
      await api.post(`/plan-groups/${group.id}/plans`, body),
      400,
      "validation_error",
      param,
    );
  });
});
