import { describe, expect, it } from "vitest";
import { createGroup, getGroup, groupWithPlans } from "../helpers/factories";
import { client, expectError } from "../helpers/http";

describe("GET /plan-groups/{id}", () => {
  it("returns the group with its plans in order", async () => {
    const api = await client();
    const { group, planIds } = await groupWithPlans(api, 3);
    const got = await getGroup(api, group.id);
    expect(got.plans.map((p) => p.id)).toEqual(planIds);
    expect(got.plans.map((p) => p.sortOrder)).toEqual([0, 1, 2]);
    expect(Object.keys(got.plans[0] ?? {}).sort()).toEqual(["id", "name", "sortOrder"]);
  });

  it("is 404 plan_group_not_found for an unknown id", async () => {
    const api = await client();
    expectError(await api.get("/plan-groups/pgrp_nope"), 404, "plan_group_not_found", "id");
  });

  it("answers the same for another organization's group", async () => {
    const owner = await client();
    const other = await client();
    const g = await createGroup(owner);
    const foreign = await other.get(`/plan-groups/${g.id}`);
    const missing = await other.get("/plan-groups/pgrp_00000000000000000000000000");
    expectError(foreign, 404, "plan_group_not_found", "id");
    expect(foreign.body.error).toEqual(missing.body.error);
  });
});
