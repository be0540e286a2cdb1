import { createRoute, z } from "@hono/zod-openapi";
import { decodeCursor, pageOf } from "../lib/cursor";
import type { AppRouteHandler } from "../lib/handler";
import { DEFAULT_LIMIT, errorResponses, jsonResponse, ListOf, ListQuery } from "../lib/openapi";
import { listPlans } from "./queries";
import { Plan, presentPlan } from "./schemas";

const Query = ListQuery.extend({
  includePrivate: z.enum(["true", "false"], "must be true or false").optional().openapi({
    description: "`true` to include private plans (`isPublic: false`).",
    example: "true",
  }),
});

export const route = createRoute({
  method: "get",
  path: "/api/v1/plans",
  operationId: "list-plans",
  summary: "List plans",
  description: "Live plans, newest first. Private plans only with `includePrivate=true`.",
  tags: ["Plans"],
  request: { query: Query },
  responses: {
    200: jsonResponse(ListOf(Plan), "A page of plans."),
    ...errorResponses(),
  },
});

export const handler: AppRouteHandler<typeof route> = async (c) => {
  const { limit = DEFAULT_LIMIT, cursor, includePrivate } = c.req.valid("query");
  const tenant = c.var.tenant;
  // The filter is part of the cursor's scope: a cursor from the other view is rejected.
  const scope = includePrivate === "true" ? "plans:all" : "plans:public";
  const after = cursor ? await decodeCursor(tenant, scope, cursor) : null;
  const rows = await listPlans(c.var.db, tenant, {
    after,
    limit: limit + 1,
    includePrivate: includePrivate === "true",
  });
  const { items, ...more } = await pageOf(tenant, scope, rows, limit, c.var.bookmark());
  return c.json(
    {
      success: true as const,
      data: items.map((p) => presentPlan(p, c.var.auth.livemode)),
      ...more,
    },
    200,
  );
};
