import { describe, expect, it } from "vitest";
import { createPlan, groupWithPlans, memberIds } from "../helpers/factories";
import { type ApiResponse, type Client, client, expectError } from "../helpers/http";

type Probe = [string, (c: Client, ids: Ids) => Promise<ApiResponse>, number, string, string];
type Ids = { group: string; plan: string; free: string; own: { group: string; plan: string } };

// Every endpoint that takes an ID, called by an outsider with the owner's IDs.
const probes: Probe[] = [
  ["get group", (c, i) => c.get(`/plan-groups/${i.group}`), 404, "plan_group_not_found", "id"],
  [
    "put group",
    (c, i) => c.put(`/plan-groups/${i.group}`, { name: "x" }),
    404,
    "plan_group_not_found",
    "id",
  ],
  [
    "patch group",
    (c, i) => c.patch(`/plan-groups/${i.group}`, { name: "x" }),
    404,
    "plan_group_not_found",
    "id",
  ],
  ["delete group", (c, i) => c.del(`/plan-groups/${i.group}`), 404, "plan_group_not_found", "id"],
  [
    "add to group",
    (c, i) => c.post(`/plan-groups/${i.group}/plans`, { planId: i.own.plan }),
    404,
    "plan_group_not_found",
    "id",
  ],
  [
    "add foreign plan",
    (c, i) => c.post(`/plan-groups/${i.own.group}/plans`, { planId: i.free }),
    404,
    "plan_not_found",
    "planId",
  ],
  [
    "remove from group",
    (c, i) => c.del(`/plan-groups/${i.group}/plans/${i.plan}`),
    404,
    "plan_group_not_found",
    "id",
  ],
  [
    "reorder group",
    (c, i) => c.put(`/plan-groups/${i.group}/plans/reorder`, { planIds: [i.plan] }),
    404,
    "plan_group_not_found",
    "id",
  ],
  [
    "create plan in group",
    (c, i) => c.post("/plans/manage", { name: "x", code: "intruder", planGroupId: i.group }),
    404,
    "plan_group_not_found",
    "planGroupId",
  ],
  ["get plan", (c, i) => c.get(`/plans/${i.plan}`), 404, "plan_not_found", "id"],
  [
    "update plan",
    (c, i) => c.put(`/plans/${i.plan}/manage`, { name: "x" }),
    404,
    "plan_not_found",
    "id",
  ],
  [
    "set visibility",
    (c, i) => c.put(`/plans/${i.plan}/visibility`, { isPublic: false }),
    404,
    "plan_not_found",
    "id",
  ],
  ["delete plan", (c, i) => c.del(`/plans/${i.plan}/manage`), 404, "plan_not_found", "id"],
];

describe.each([
  ["another organization", (_ownerOrg: string) => client()],
  ["the live mode of the same organization", (orgId: string) => client(orgId, "live")],
])("%s", (_, outsiderFor) => {
  it.each(probes)("%s is a 404 and changes nothing", async (_, probe, status, code, param) => {
    const owner = await client();
    const { group, planIds } = await groupWithPlans(owner, 2);
    const free = await createPlan(owner);
    const outsider = await outsiderFor(owner.orgId);
    const own = await groupWithPlans(outsider, 1);
    const ids = {
      group: group.id,
      plan: planIds[0] as string,
      free: free.id,
      own: { group: own.group.id, plan: own.planIds[0] as string },
    };
    expectError(await probe(outsider, ids), status, code, param);
    expect(await memberIds(owner, group.id)).toEqual(planIds);
    expect((await owner.get(`/plans/${free.id}`)).body.data).toEqual(free);
    expect((await outsider.get("/plan-groups")).body.data).toHaveLength(1);
  });
});
