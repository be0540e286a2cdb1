import { z } from "@hono/zod-openapi";
import { PlanIdString } from "../lib/fields";
import { jsonBody } from "../lib/openapi";
import { addFailure } from "../membership/join-errors";
import { MAX_PLANS_PER_GROUP } from "../membership/membership";
import { defineOperation } from "../operation/define";
import { findPlanById } from "../plans/queries";
import { addPlanToGroup } from "./queries";
import { GroupIdParam } from "./schemas";

const AddBody = z
  .strictObject({
    planId: PlanIdString,
    sortOrder: z
      .number()
      .int("must be an integer")
      .min(0, "must be at least 0")
      .optional()
      .openapi({
        description:
          "Position to insert at; plans at and after it shift down by one. Past the end, or omitted: append.",
        example: 0,
      }),
  })
  .openapi({ example: { planId: "plan_01j2x3y4z5a6b7c8d9e0f1g2h3", sortOrder: 0 } });

export default defineOperation({
  route: {
    method: "post",
    path: "/api/v1/plan-groups/{id}/plans",
    operationId: "add-plan-to-group",
    summary: "Add a plan to a group",
    description:
      "Appends the plan, or inserts it at `sortOrder`. A plan belongs to at most one group: a plan already in a group is a 409, never a silent move. A group holds at most 100 plans.",
    tags: ["Plan groups"],
    request: { params: GroupIdParam, body: jsonBody(AddBody) },
  },
  answer: { one: "planAdded" },
  status: 200,
  description: "The plan is in the group at `sortOrder`.",
  errors: ["plan_group_not_found", "plan_not_found", "duplicate", "limit_exceeded"],
  handler: async (c) => {
    const { id } = c.req.valid("param");
    const { planId, sortOrder } = c.req.valid("json");
    const position = Math.min(sortOrder ?? MAX_PLANS_PER_GROUP, MAX_PLANS_PER_GROUP);
    const outcome = await addPlanToGroup(c.var.db, c.var.tenant, id, planId, position, Date.now());
    if (!outcome.ok) throw addFailure(outcome.error, "id");
    return { groupId: id, planId, sortOrder: outcome.sortOrder };
  },
  rebuild: async (c) => {
    const { id } = c.req.valid("param");
    const { planId } = c.req.valid("json");
    const plan = await findPlanById(c.var.db, c.var.tenant, planId);
    return plan?.planGroupId === id ? { groupId: id, planId, sortOrder: plan.sortOrder } : null;
  },
});
