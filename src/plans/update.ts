import { createRoute } from "@hono/zod-openapi";
import { ApiError } from "../errors";
import type { AppRouteHandler } from "../lib/handler";
import { errorResponses, jsonBody, jsonResponse, Success } from "../lib/openapi";
import { updatePlan } from "./queries";
import { Plan, PlanIdParam, presentPlan, UpdatePlanBody } from "./schemas";

export const route = createRoute({
  method: "put",
  path: "/api/v1/plans/{id}/manage",
  operationId: "update-plan",
  summary: "Update a plan",
  description:
    "Changes the fields sent; `metadata` is replaced as a whole (`null` clears it). `updatedAt` moves only when a value actually changes.",
  tags: ["Plans"],
  request: { params: PlanIdParam, body: jsonBody(UpdatePlanBody) },
  responses: {
    200: jsonResponse(Success(Plan), "The plan after the update."),
    ...errorResponses("plan_not_found"),
  },
});

export const handler: AppRouteHandler<typeof route> = async (c) => {
  const { id } = c.req.valid("param");
  const plan = await updatePlan(c.var.db, c.var.tenant, id, c.req.valid("json"), Date.now());
  if (!plan) throw new ApiError("plan_not_found", { param: "id" });
  return c.json({ success: true as const, data: presentPlan(plan, c.var.auth.livemode) }, 200);
};
