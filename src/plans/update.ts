import { ApiError } from "../errors";
import { jsonBody } from "../lib/openapi";
import { defineOperation } from "../operation/define";
import { findPlanById, updatePlan } from "./queries";
import { PlanIdParam, UpdatePlanBody } from "./schemas";

export default defineOperation({
  route: {
    method: "put",
    path: "/api/v1/plans/{id}/manage",
    operationId: "update-plan",
    summary: "Update a plan",
    description:
      "Changes the fields sent; `metadata` is replaced as a whole (`null` clears it). `updatedAt` moves only when a value actually changes.",
    tags: ["Plans"],
    request: { params: PlanIdParam, body: jsonBody(UpdatePlanBody) },
  },
  answer: { one: "plan" },
  status: 200,
  description: "The plan after the update.",
  errors: ["plan_not_found"],
  handler: async (c) => {
    const { id } = c.req.valid("param");
    const plan = await updatePlan(c.var.db, c.var.tenant, id, c.req.valid("json"), Date.now());
    if (!plan) throw new ApiError("plan_not_found", { param: "id" });
    return plan;
  },
  rebuild: (c) => findPlanById(c.var.db, c.var.tenant, c.req.valid("param").id),
});
