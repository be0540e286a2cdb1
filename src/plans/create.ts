import { createRoute } from "@hono/zod-openapi";
import { ApiError } from "../errors";
import type { AppRouteHandler } from "../lib/handler";
import { newId } from "../lib/ids";
import { errorResponses, jsonBody, jsonResponse, Success } from "../lib/openapi";
import { addFailure } from "../plan-groups/membership-errors";
import { insertPlan } from "./queries";
import { CreatePlanBody, Plan, presentPlan } from "./schemas";

export const route = createRoute({
  method: "post",
  path: "/api/v1/plans/manage",
  operationId: "create-plan",
  summary: "Create a plan",
  description:
    "Creates a plan. With `planGroupId` the plan is appended to that group, with the same rules and errors as adding a plan to a group.",
  tags: ["Plans"],
  request: { body: jsonBody(CreatePlanBody) },
  responses: {
    201: jsonResponse(Success(Plan), "The new plan."),
    ...errorResponses("duplicate", "plan_group_not_found", "limit_exceeded"),
  },
});

export const handler: AppRouteHandler<typeof route> = async (c) => {
  const body = c.req.valid("json");
  const now = Date.now();
  const outcome = await insertPlan(
    c.var.db,
    c.var.tenant,
    {
      id: newId("plan", now),
      orgId: c.var.tenant.orgId,
      mode: c.var.tenant.mode,
      code: body.code,
      name: body.name,
      description: body.description ?? null,
      consumptionModel: body.consumptionModel ?? null,
      isPublic: body.isPublic ?? true,
      isFree: body.isFree ?? false,
      blockOnExhaustion: body.blockOnExhaustion ?? null,
      metadata: body.metadata ?? null,
      createdAt: now,
      updatedAt: now,
    },
    body.planGroupId ?? null,
  );
  if (!outcome.ok) {
    if (outcome.error === "duplicate_code") {
      throw new ApiError("duplicate", {
        param: "code",
        message: "A live plan with this code already exists.",
      });
    }
    throw addFailure(outcome.error, "planGroupId");
  }
  return c.json(
    { success: true as const, data: presentPlan(outcome.plan, c.var.auth.livemode) },
    201,
  );
};
