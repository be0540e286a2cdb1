import { paginate } from "../lib/cursor";
import { ListQuery } from "../lib/openapi";
import { defineOperation } from "../operation/define";
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
  handler: (c) =>
    paginate(c.var.tenant, "api_keys", c.req.valid("query"), c.var.bookmark, (page) =>
      listKeys(c.var.db, c.var.tenant, page),
    ),
});
