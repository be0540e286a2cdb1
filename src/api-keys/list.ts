import { decodeCursor, pageOf } from "../lib/cursor";
import { DEFAULT_LIMIT, ListQuery } from "../lib/openapi";
import { defineOperation } from "../lib/operation";
import { listKeys } from "./queries";

export default defineOperation({
  route: {
    method: "get",
    path: "/api/v1/api-keys",
    operationId: "list-api-keys",
    summary: "List API keys",
    description:
      "The keys of the calling key's organization and mode, newest first, never their secrets. Keys made by the command line are listed too.",
    tags: ["API keys"],
    request: { query: ListQuery },
  },
  answer: { list: "apiKey" },
  status: 200,
  description: "A page of keys.",
  errors: [],
  handler: async (c) => {
    const { limit = DEFAULT_LIMIT, cursor } = c.req.valid("query");
    const tenant = c.var.tenant;
    const after = cursor ? await decodeCursor(tenant, "api_keys", cursor) : null;
    const rows = await listKeys(c.var.db, tenant, { after, limit: limit + 1 });
    return pageOf(tenant, "api_keys", rows, limit, c.var.bookmark());
  },
});
