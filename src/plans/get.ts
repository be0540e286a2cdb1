import { createRoute, z } from "@hono/zod-openapi";
import { ApiError } from "../errors";
import type { AppRouteHandler } from "../lib/handler";
import { errorResponses, jsonResponse, Success } from "../lib/openapi";
import { findPlan } from "./queries";
import { Plan, presentPlan } from "./schemas";

const Params = z.object({
  idOrCode: z
    .string()
    .min(1)
    .max(255)
    .openapi({
      param: { name: "idOrCode", in: "path" },
      description: "The plan's ID, or its code.",
      example: "pro_monthly",
    }),
});

export const route = createRoute({
  method: "get",
  path: "/api/v1/plans/{idOrCode}",
  operationId: "get-plan",
  summary: "Get a plan",
  description: "By ID or by code. Deleted plans are not found.",
  tags: ["Plans"],
  request: { params: Params },
  responses: {
    200: jsonResponse(Success(Plan), "The plan."),
    ...errorResponses("plan_not_found"),
  },
});

export const handler: AppRouteHandler<typeof route> = async (c) => {
  const { idOrCode } = c.req.valid("param");
  const plan = await findPlan(c.var.db, c.var.tenant, idOrCode);
  if (!plan) throw new ApiError("plan_not_found", { param: "idOrCode" });
  return c.json({ success: true as const, data: presentPlan(plan, c.var.auth.livemode) }, 200);
};
