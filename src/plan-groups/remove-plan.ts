import { z } from "@hono/zod-openapi";
import { ApiError } from "../errors";
import { defineOperation } from "../operation/define";
import { removePlanFromGroup } from "./queries";
import { GroupIdParam } from "./schemas";

const Params = GroupIdParam.extend({
  planId: z
    .string()
    .min(1)
    .max(255)
    .openapi({
      param: { name: "planId", in: "path" },
      description: "The ID of the plan to take out of the group.",
      example: "plan_01j2x3y4z5a6b7c8d9e0f1g2h3",
    }),
});

export default defineOperation({
  route: {
    method: "delete",
    path: "/api/v1/plan-groups/{id}/plans/{planId}",
    operationId: "remove-plan-from-group",
    summary: "Remove a plan from a group",
    description:
      "Unlinks the plan; the remaining plans close the gap and stay 0..n-1 in their order.",
    tags: ["Plan groups"],
    request: { params: Params },
  },
  answer: { one: "planRemoved" },
  status: 200,
  description: "The plan left the group.",
  errors: ["plan_group_not_found", "plan_not_found"],
  handler: async (c) => {
    const { id, planId } = c.req.valid("param");
    const result = await removePlanFromGroup(c.var.db, c.var.tenant, id, planId, Date.now());
    if (result === "group_missing") throw new ApiError("plan_group_not_found", { param: "id" });
    if (result === "plan_missing") {
      throw new ApiError("plan_not_found", {
        param: "planId",
        message: "This plan is not in this plan group.",
      });
    }
    return { groupId: id, planId };
  },
});
