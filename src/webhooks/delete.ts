import { ApiError } from "../errors";
import { defineOperation } from "../operation/define";
import { deleteEndpoint } from "./queries";
import { EndpointIdParam } from "./schemas";

export default defineOperation({
  route: {
    method: "delete",
    path: "/api/v1/webhooks/{id}",
    operationId: "delete-webhook",
    summary: "Delete a webhook endpoint",
    description: "The endpoint receives nothing from now on, retries of earlier events included.",
    tags: ["Webhooks"],
    request: { params: EndpointIdParam },
  },
  answer: { one: "deletedWebhook" },
  status: 200,
  description: "The endpoint is gone.",
  errors: ["webhook_not_found"],
  handler: async (c) => {
    const { id } = c.req.valid("param");
    if (!(await deleteEndpoint(c.var.db, c.var.tenant, id))) {
      throw new ApiError("webhook_not_found", { param: "id" });
    }
    return { id };
  },
});
