import { paginate } from "../lib/cursor";
import { ListQuery } from "../lib/openapi";
import { defineOperation } from "../operation/define";
import { listEndpoints } from "./queries";

export default defineOperation({
  route: {
    method: "get",
    path: "/api/v1/webhooks",
    operationId: "list-webhooks",
    summary: "List webhook endpoints",
    description: "The endpoints of this organization and mode, newest first.",
    tags: ["Webhooks"],
    request: { query: ListQuery },
  },
  answer: { list: "webhook" },
  status: 200,
  description: "A page of endpoints.",
  errors: [],
  handler: (c) =>
    paginate(c.var.tenant, "webhooks", c.req.valid("query"), c.var.bookmark, (page) =>
      listEndpoints(c.var.db, c.var.tenant, page),
    ),
});
