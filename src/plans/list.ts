import { z } from "@hono/zod-openapi";
import { decodeCursor, pageOf } from "../lib/cursor";
import { DEFAULT_LIMIT, ListQuery } from "../lib/openapi";
import { defineOperation } from "../lib/operation";
import { listPlans } from "./queries";

const Query = ListQuery.extend({
  includePrivate: z.enum(["true", "false"], "must be true or false").optional().openapi({
    description: "`true` to include private plans (`isPublic: false`).",
    example: "true",
  }),
});

export default defineOperation({
  route: {
    method: "get",
    path: "/api/v1/plans",
    operationId: "list-plans",
    summary: "List plans",
    description: "Live plans, newest first. Private plans only with `includePrivate=true`.",
    tags: ["Plans"],
    request: { query: Query },
  },
  answer: { list: "plan" },
  status: 200,
  description: "A page of plans.",
  errors: [],
  handler: async (c) => {
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
    return pageOf(tenant, scope, rows, limit, c.var.bookmark());
  },
});
