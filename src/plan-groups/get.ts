import { createRoute } from "@hono/zod-openapi";
import { ApiError } from "../errors";
import type { AppRouteHandler } from "../lib/handler";
import { errorResponses, jsonResponse, Success } from "../lib/openapi";
import { findGroup } from "./queries";
import { GroupIdParam, PlanGroup, presentGroup } from "./schemas";

export const route = createRoute({
  method: "get",
  path: "/api/v1/plan-groups/{id}",
  operationId: "get-plan-group",
  summary: "Get a plan group",
  description: "The group with its plans in order.",
  tags: ["Plan groups"],
  request: { params: GroupIdParam },
  responses: {
    200: jsonResponse(Success(PlanGroup), "The group."),
    ...errorResponses("plan_group_not_found"),
  },
});

export const handler: AppRouteHandler<typeof route> = async (c) => {
  const { id } = c.req.valid("param");
  const group = await findGroup(c.var.db, c.var.tenant, id);
  if (!group) throw new ApiError("plan_group_not_found", { param: "id" });
  return c.json({ success: true as const, data: presentGroup(group, c.var.auth.livemode) }, 200);
};
