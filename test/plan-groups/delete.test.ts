import { describe, expect, it } from "vitest";
import { getPlan, groupWithPlans } from "../helpers/factories";
import { client, expectError } from "../helpers/http";

describe("DELETE /plan-groups/{id}", () => {
  it("deletes the group and unlinks, never deletes, its plans", async () => {
    const api = await client();
    const { group, planIds } = await groupWithPlans(api, 3);
    const res = await api.del(`/plan-groups/${group.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      data: { id: group.id, deleted: true, object: "plan_group", livemode: false },
    });
    expectError(await api.get(`/plan-groups/${group.id}`), 404, "plan_group_not_found", "id");
    for (const id of planIds) {
      const plan = await getPlan(api, id);
      expect(plan).toMatchObject({ planGroupId: null, sortOrder: 0 });
    }
  });

  it("lets unlinked plans join another group", async () => {
    const api = await client();
    const { group, planIds } = await groupWithPlans(api, 2);
    await api.del(`/plan-groups/${group.id}`);
    const { group: next } = await groupWithPlans(api, 0);
    const res = await api.post(`/plan-groups/${next.id}/plans`, { planId: planIds[1] });
    expect(res.status, res.text).toBe(200);
  });

  it("is 404 twice and for foreign groups", async () => {
    const api = await client();
    const other = await client();
    const { group } = await groupWithPlans(other, 1);
    expectError(await api.del(`/plan-groups/${group.id}`), 404, "plan_group_not_found", "id");
    expect((await other.get(`/plan-groups/${group.id}`)).status).toBe(200);
    await other.del(`/plan-groups/${group.id}`);
    expectError(await other.del(`/plan-groups/${group.id}`), 404, "plan_group_not_found", "id");
  });
});
