import { describe, expect, it } from "vitest";
import {
  createGroup,
  createPlan,
  getGroup,
  getPlan,
  groupWithPlans,
  memberIds,
} from "../helpers/factories";
import { type Client, client, expectError } from "../helpers/http";

const reorder = (api: Client, groupId: string, planIds: unknown) =>
  api.put(`/plan-groups/${groupId}/plans/reorder`, { planIds });

describe("PUT /plan-groups/{id}/plans/reorder", () => {
  it("sets the new order and answers the contract shape", async () => {
    const api = await client();
    const { group, planIds } = await groupWithPlans(api, 4);
    const order = [planIds[2], planIds[0], planIds[3], planIds[1]] as string[];
    const res = await reorder(api, group.id, order);
    expect(res.status, res.text).toBe(200);
    const data = res.body.data as { plans: { id: string; sortOrder: number; name: string }[] };
    expect(res.body.data).toMatchObject({ reordered: true, object: "plan_group", livemode: false });
    expect(data.plans.map((p) => [p.id, p.sortOrder])).toEqual(order.map((id, i) => [id, i]));
    expect(await memberIds(api, group.id)).toEqual(order);
    for (const [i, id] of order.entries()) expect((await getPlan(api, id)).sortOrder).toBe(i);
  });

  it("reverses a group of 100 plans", async () => {
    const api = await client();
    const { group, planIds } = await groupWithPlans(api, 100);
    const reversed = planIds.slice().reverse();
    const res = await reorder(api, group.id, reversed);
    expect(res.status, res.text).toBe(200);
    expect(await memberIds(api, group.id)).toEqual(reversed);
  });

  it("moves updatedAt only when the order changes", async () => {
    const api = await client();
    const { group, planIds } = await groupWithPlans(api, 2);
    const before = await getGroup(api, group.id);
    await new Promise((r) => setTimeout(r, 5));
    await reorder(api, group.id, planIds);
    expect((await getGroup(api, group.id)).updatedAt).toBe(before.updatedAt);
    await reorder(api, group.id, planIds.slice().reverse());
    expect((await getGroup(api, group.id)).updatedAt > before.updatedAt).toBe(true);
  });

  it("accepts an empty list for an empty group", async () => {
    const api = await client();
    const group = await createGroup(api);
    const res = await reorder(api, group.id, []);
    expect(res.status).toBe(200);
    expect((res.body.data as { plans: unknown[] }).plans).toEqual([]);
  });

  describe("rejects lists that are not exactly the members, naming the wrong IDs", () => {
    const cases: [string, (ids: string[], outsider: string) => string[], RegExp][] = [
      ["missing", (ids) => ids.slice(1), /missing plans of this group: (plan_\w+)/],
      ["extra", (ids, outsider) => [...ids, outsider], /not in this group: (plan_\w+)/],
      ["repeated", (ids) => [...ids, ids[0] as string], /listed more than once: (plan_\w+)/],
      [
        "repeated in place of one",
        (ids) => [ids[0], ids[0], ids[2]] as string[],
        /missing plans of this group: (plan_\w+)/,
      ],
      ["unknown", (ids) => [...ids.slice(1), "plan_nope"], /not in this group: plan_nope/],
    ];
    it.each(cases)("%s", async (_, build, pattern) => {
      const api = await client();
      const { group, planIds } = await groupWithPlans(api, 3);
      const outsider = (await createPlan(api)).id;
      const res = await reorder(api, group.id, build(planIds, outsider));
      expectError(res, 400, "validation_error", "planIds");
      expect(res.body.error?.message).toMatch(pattern);
      expect(await memberIds(api, group.id)).toEqual(planIds);
    });

    it("foreign: a plan of another organization", async () => {
      const api = await client();
      const other = await client();
      const { group, planIds } = await groupWithPlans(api, 2);
      const { planIds: foreign } = await groupWithPlans(other, 1);
      const res = await reorder(api, group.id, [planIds[0], foreign[0]]);
      expectError(res, 400, "validation_error", "planIds");
      expect(res.body.error?.message).toContain(`not in this group: ${foreign[0]}`);
      expect(res.body.error?.message).toContain(`missing plans of this group: ${planIds[1]}`);
    });
  });

  it("validates the body shape", async () => {
    const api = await client();
    const group = await createGroup(api);
    expectError(await reorder(api, group.id, "plan_a"), 400, "validation_error", "planIds");
    // An element is reported as the array (API.md: param `planIds`); details name the index.
    const element = await reorder(api, group.id, ["plan_a", 1]);
    expectError(element, 400, "validation_error", "planIds");
    expect(element.body.error?.details).toEqual([
      { field: "planIds.1", message: expect.any(String) },
    ]);
    expectError(
      await reorder(api, group.id, Array(101).fill("plan_a")),
      400,
      "validation_error",
      "planIds",
    );
    expectError(
      await api.put(`/plan-groups/${group.id}/plans/reorder`, {}),
      400,
      "validation_error",
      "planIds",
    );
  });

  it("is 404 for unknown and foreign groups", async () => {
    const api = await client();
    const other = await client();
    const { group, planIds } = await groupWithPlans(other, 2);
    expectError(
      await reorder(api, group.id, planIds.slice().reverse()),
      404,
      "plan_group_not_found",
      "id",
    );
    expect(await memberIds(other, group.id)).toEqual(planIds);
  });
});
