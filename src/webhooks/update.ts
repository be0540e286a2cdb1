import { ApiError } from "../errors";
import { jsonBody } from "../lib/openapi";
import { defineOperation } from "../operation/define";
import { findEndpoint, updateEndpoint } from "./queries";
import { EndpointIdParam, UpdateEndpointBody } from "./schemas";
import { urlPolicy, vetWebhookUrl } from "./url";

/** PATCH (the current SDKs) and PUT (7.x) behave the same: only the fields sent change. */
const update = (method: "patch" | "put") =>
  defineOperation({
    route: {
      method,
      path: "/api/v1/webhooks/{id}",
      operationId: method === "patch" ? "update-webhook" : "put-webhook",
      summary: method === "patch" ? "Update a webhook endpoint" : "Update a webhook endpoint (PUT)",
      description:
        "Changes the fields sent. `isActive: true` reactivates an endpoint (also one deactivated after 72 hours of failures).",
      tags: ["Webhooks"],
      request: { params: EndpointIdParam, body: jsonBody(UpdateEndpointBody) },
    },
    answer: { one: "webhook" },
    status: 200,
    description: "The endpoint after the update.",
    errors: ["webhook_not_found"],
    handler: async (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const url =
        body.url === undefined
          ? null
          : await vetWebhookUrl(body.url, urlPolicy(c.env, c.var.tenant.mode), "register");
      if (url && !url.ok) throw ApiError.validation([{ field: "url", message: url.reason }]);
      const endpoint = await updateEndpoint(c.var.db, c.var.tenant, id, body, Date.now());
      if (!endpoint) throw new ApiError("webhook_not_found", { param: "id" });
      return endpoint;
    },
    rebuild: (c) => findEndpoint(c.var.db, c.var.tenant, c.req.valid("param").id),
  });

export const patch = update("patch");
export const put = update("put");
