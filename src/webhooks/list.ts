import { decodeCursor, pageOf } from "../lib/cursor";
import { DEFAULT_LIMIT, ListQuery } from "../lib/openapi";
import { defineOperation } from "../lib/operation";
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
  handler: async (c) => {
    const { limit = DEFAULT_LIMIT, cursor } = c.req.valid("query");
    const tenant = c.var.tenant;
    const after = cursor ? await decodeCursor(tenant, "webhooks", cursor) : null;
    const rows = await listEndpoints(c.var.db, tenant, { after, limit: limit + 1 });
    return pageOf(tenant, "webhooks", rows, limit, c.var.bookmark());
  },
});
