import { z } from "@hono/zod-openapi";
import { paginate } from "../lib/cursor";
import { ListQuery } from "../lib/openapi";
import { defineOperation } from "../operation/define";
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
  handler: (c) => {
    const query = c.req.valid("query");
    const includePrivate = query.includePrivate === "true";
    // The filter is part of the cursor's scope: a cursor from the other view is rejected.
    const scope = includePrivate ? "plans:all" : "plans:public";
    return paginate(c.var.tenant, scope, query, c.var.bookmark, (page) =>
      listPlans(c.var.db, c.var.tenant, { ...page, includePrivate }),
    );
  },
});
