import { createRoute } from "@hono/zod-openapi";
import { ApiError } from "../errors";
import type { AppRouteHandler } from "../lib/handler";
import { errorResponses, jsonBody, jsonResponse, Success } from "../lib/openapi";
import { updateGroup } from "./queries";
import { GroupFields, GroupIdParam, PlanGroup, presentGroup } from "./schemas";

const UpdateBody = GroupFields.partial().openapi({
  description: "Only the fields sent change. An empty body returns the group unchanged.",
  example: { name: "Self-serve plans" },
});

const definition = (method: "put" | "patch") =>
  createRoute({
    method,
    path: "/api/v1/plan-groups/{id}",
    operationId: method === "put" ? "update-plan-group" : "patch-plan-group",
    summary: method === "put" ? "Update a plan group" : "Update a plan group (PATCH)",
    description:
      "Changes the fields sent. `updatedAt` moves only when a value actually changes. PUT and PATCH behave the same.",
    tags: ["Plan groups"],
    request: { params: GroupIdParam, body: jsonBody(UpdateBody) },
    responses: {
      200: jsonResponse(Success(PlanGroup), "The group after the update."),
      ...errorResponses("plan_group_not_found"),
    },
  });

export const putRoute = definition("put");
export const patchRoute = definition("patch");

export const handler: AppRouteHandler<typeof putRoute | typeof patchRoute> = async (c) => {
  const { id } = c.req.valid("param");
  const group = await updateGroup(c.var.db, c.var.tenant, id, c.req.valid("json"), Date.now());
  if (!group) throw new ApiError("plan_group_not_found", { param: "id" });
  return c.json({ success: true as const, data: presentGroup(group, c.var.auth.livemode) }, 200);
};
