import { decodeCursor, pageOf } from "../lib/cursor";
import { DEFAULT_LIMIT, ListQuery } from "../lib/openapi";
import { defineOperation } from "../lib/operation";
import { listGroups } from "./queries";

export default defineOperation({
  route: {
    method: "get",
    path: "/api/v1/plan-groups",
    operationId: "list-plan-groups",
    summary: "List plan groups",
    description: "Newest first. Page with `limit` and `cursor`.",
    tags: ["Plan groups"],
    request: { query: ListQuery },
  },
  answer: { list: "planGroup" },
  status: 200,
  description: "A page of groups.",
  errors: [],
  handler: async (c) => {
    const { limit = DEFAULT_LIMIT, cursor } = c.req.valid("query");
    const tenant = c.var.tenant;
    const after = cursor ? await decodeCursor(tenant, "plan_groups", cursor) : null;
    const rows = await listGroups(c.var.db, tenant, { after, limit: limit + 1 });
    return pageOf(tenant, "plan_groups", rows, limit, c.var.bookmark());
  },
});
