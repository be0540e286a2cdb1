import { ApiError } from "../errors";
import { defineOperation } from "../operation/define";
import { findEndpoint } from "./queries";
import { EndpointIdParam } from "./schemas";

export default defineOperation({
  route: {
    method: "get",
    path: "/api/v1/webhooks/{id}",
    operationId: "get-webhook",
    summary: "Get a webhook endpoint",
    description: "The endpoint (never its secret).",
    tags: ["Webhooks"],
    request: { params: EndpointIdParam },
  },
  answer: { one: "webhook" },
  status: 200,
  description: "The endpoint.",
  errors: ["webhook_not_found"],
  handler: async (c) => {
    const endpoint = await findEndpoint(c.var.db, c.var.tenant, c.req.valid("param").id);
    if (!endpoint) throw new ApiError("webhook_not_found", { param: "id" });
    return endpoint;
  },
});
