import { ApiError } from "../errors";
import { newId } from "../lib/ids";
import { jsonBody } from "../lib/openapi";
import { addFailure } from "../membership/join-errors";
import { defineOperation } from "../operation/define";
import { findCreatedPlan, insertPlan } from "./queries";
import { CreatePlanBody } from "./schemas";

export default defineOperation({
  route: {
    method: "post",
    path: "/api/v1/plans/manage",
    operationId: "create-plan",
    summary: "Create a plan",
    description:
      "Creates a plan. With `planGroupId` the plan is appended to that group, with the same rules and errors as adding a plan to a group.",
    tags: ["Plans"],
    request: { body: jsonBody(CreatePlanBody) },
  },
  answer: { one: "plan" },
  status: 201,
  description: "The new plan.",
  errors: ["duplicate", "plan_group_not_found", "limit_exceeded"],
  handler: async (c) => {
    const body = c.req.valid("json");
    const plan = {
      id: newId("plan"),
      code: body.code,
      name: body.name,
      description: body.description ?? null,
      consumptionModel: body.consumptionModel ?? null,
      isPublic: body.isPublic ?? true,
      isFree: body.isFree ?? false,
      blockOnExhaustion: body.blockOnExhaustion ?? null,
      metadata: body.metadata ?? null,
    };
    const outcome = await insertPlan(
      c.var.db,
      c.var.tenant,
      plan,
      body.planGroupId ?? null,
      Date.now(),
    );
    if (outcome.ok) return outcome.plan;
    if (outcome.error === "duplicate_code") {
      throw new ApiError("duplicate", {
        param: "code",
        message: "A live plan with this code already exists.",
      });
    }
    throw addFailure(outcome.error, "planGroupId");
  },
  // What the create made, even if it was deleted since.
  rebuild: async (c, id) => (id ? findCreatedPlan(c.var.db, c.var.tenant, id) : null),
});
