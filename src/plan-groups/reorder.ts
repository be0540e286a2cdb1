import { z } from "@hono/zod-openapi";
import { ApiError, type FieldIssue } from "../errors";
import { PlanIdString } from "../lib/fields";
import { jsonBody } from "../lib/openapi";
import { MAX_PLANS_PER_GROUP, type Member } from "../membership/membership";
import { defineOperation } from "../operation/define";
import { findGroup, reorderGroup } from "./queries";
import { GroupIdParam } from "./schemas";

const ReorderBody = z
  .strictObject({
    planIds: z
      .array(PlanIdString)
      .max(MAX_PLANS_PER_GROUP, `must list at most ${MAX_PLANS_PER_GROUP} plans`)
      .openapi({ description: "Every plan ID of the group, exactly once, in the new order." }),
  })
  .openapi({
    example: { planIds: ["plan_01j2x3y4z5a6b7c8d9e0f1g2h3", "plan_01j2x3y4z5a6b7c8d9e0f1g2h4"] },
  });

/** What is wrong with `planIds` compared to the group's members, one issue per kind. */
function reorderIssues(planIds: string[], members: Member[]): FieldIssue[] {
  const memberIds = new Set(members.map((m) => m.id));
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const id of planIds) (seen.has(id) ? repeated : seen).add(id);
  const missing = members.filter((m) => !seen.has(m.id)).map((m) => m.id);
  const unknown = [...seen].filter((id) => !memberIds.has(id));
  const issues: FieldIssue[] = [];
  if (missing.length)
    issues.push({
      field: "planIds",
      message: `missing plans of this group: ${missing.join(", ")}`,
    });
  if (unknown.length)
    issues.push({ field: "planIds", message: `not in this group: ${unknown.join(", ")}` });
  if (repeated.size)
    issues.push({
      field: "planIds",
      message: `listed more than once: ${[...repeated].join(", ")}`,
    });
  return issues;
}

export default defineOperation({
  route: {
    method: "put",
    path: "/api/v1/plan-groups/{id}/plans/reorder",
    operationId: "reorder-plans-in-group",
    summary: "Reorder the plans in a group",
    description:
      "Sets the order to `planIds`, which must hold every plan of the group exactly once. A missing, extra, repeated or foreign ID is a 400 that names it.",
    tags: ["Plan groups"],
    request: { params: GroupIdParam, body: jsonBody(ReorderBody) },
  },
  answer: { one: "plansReordered" },
  status: 200,
  description: "The group's plans in their new order.",
  errors: ["plan_group_not_found"],
  handler: async (c) => {
    const { id } = c.req.valid("param");
    const { planIds } = c.req.valid("json");
    const outcome = await reorderGroup(c.var.db, c.var.tenant, id, planIds, Date.now());
    if (!outcome.ok) {
      if (outcome.error === "group_missing") {
        throw new ApiError("plan_group_not_found", { param: "id" });
      }
      throw ApiError.validation(reorderIssues(planIds, outcome.current));
    }
    return { groupId: id, plans: outcome.plans };
  },
  rebuild: async (c) => {
    const { id } = c.req.valid("param");
    const group = await findGroup(c.var.db, c.var.tenant, id);
    return group ? { groupId: id, plans: group.plans } : null;
  },
});
