import { paginate } from "../lib/cursor";
import { ListQuery } from "../lib/openapi";
import { defineOperation } from "../operation/define";
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
  handler: (c) =>
    paginate(c.var.tenant, "plan_groups", c.req.valid("query"), c.var.bookmark, (page) =>
      listGroups(c.var.db, c.var.tenant, page),
    ),
});
