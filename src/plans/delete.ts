import { ApiError } from "../errors";
import { defineOperation } from "../operation/define";
import { softDeletePlan } from "./queries";
import { PlanIdParam } from "./schemas";

export default defineOperation({
  route: {
    method: "delete",
    path: "/api/v1/plans/{id}/manage",
    operationId: "delete-plan",
    summary: "Delete a plan",
    description:
      "Soft delete: the plan leaves its group (the gap closes), is no longer returned by get or list, and its code can be used again.",
    tags: ["Plans"],
    request: { params: PlanIdParam },
  },
  answer: { one: "deletedPlan" },
  status: 200,
  description: "The plan is deleted.",
  errors: ["plan_not_found"],
  handler: async (c) => {
    const { id } = c.req.valid("param");
    if (!(await softDeletePlan(c.var.db, c.var.tenant, id, Date.now()))) {
      throw new ApiError("plan_not_found", { param: "id" });
    }
    return { id };
  },
});
