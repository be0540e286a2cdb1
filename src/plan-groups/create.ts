import { createRoute } from "@hono/zod-openapi";
import type { AppRouteHandler } from "../lib/handler";
import { newId } from "../lib/ids";
import { errorResponses, jsonBody, jsonResponse, Success } from "../lib/openapi";
import { insertGroup } from "./queries";
import { GroupFields, PlanGroup, presentGroup } from "./schemas";

export const route = createRoute({
  method: "post",
  path: "/api/v1/plan-groups",
  operationId: "create-plan-group",
  summary: "Create a plan group",
  description: "Creates an empty group. Add plans with `POST /plan-groups/{id}/plans`.",
  tags: ["Plan groups"],
  request: {
    body: jsonBody(
      GroupFields.openapi({
        example: { name: "Self-serve", description: "Plans customers can pick", isPublic: true },
      }),
    ),
  },
  responses: {
    201: jsonResponse(Success(PlanGroup), "The new group, with `plans: []`."),
    ...errorResponses(),
  },
});

export const handler: AppRouteHandler<typeof route> = async (c) => {
  const body = c.req.valid("json");
  const now = Date.now();
  const group = await insertGroup(c.var.db, {
    id: newId("pgrp", now),
    orgId: c.var.tenant.orgId,
    mode: c.var.tenant.mode,
    name: body.name,
    description: body.description ?? null,
    isPublic: body.isPublic ?? true,
    createdAt: now,
    updatedAt: now,
  });
  return c.json({ success: true as const, data: presentGroup(group, c.var.auth.livemode) }, 201);
};
