import { createRoute } from "@hono/zod-openapi";
import { decodeCursor, pageOf } from "../lib/cursor";
import type { AppRouteHandler } from "../lib/handler";
import { DEFAULT_LIMIT, errorResponses, jsonResponse, ListOf, ListQuery } from "../lib/openapi";
import { listGroups } from "./queries";
import { PlanGroup, presentGroup } from "./schemas";

export const route = createRoute({
  method: "get",
  path: "/api/v1/plan-groups",
  operationId: "list-plan-groups",
  summary: "List plan groups",
  description: "Newest first, each with its plans in order. Page with `limit` and `cursor`.",
  tags: ["Plan groups"],
  request: { query: ListQuery },
  responses: {
    200: jsonResponse(ListOf(PlanGroup), "A page of groups."),
    ...errorResponses(),
  },
});

export const handler: AppRouteHandler<typeof route> = async (c) => {
  const { limit = DEFAULT_LIMIT, cursor } = c.req.valid("query");
  const tenant = c.var.tenant;
  const after = cursor ? await decodeCursor(tenant, "plan_groups", cursor) : null;
  const rows = await listGroups(c.var.db, tenant, { after, limit: limit + 1 });
  const { items, ...more } = await pageOf(tenant, "plan_groups", rows, limit, c.var.bookmark());
  return c.json(
    {
      success: true as const,
      data: items.map((g) => presentGroup(g, c.var.auth.livemode)),
      ...more,
    },
    200,
  );
};
