import { ApiError } from "../errors";
import { defineOperation } from "../lib/operation";
import { findEndpointWithSecret } from "./queries";
import { EndpointIdParam } from "./schemas";
import { sendTestEvent } from "./test-send";

export default defineOperation({
  route: {
    method: "post",
    path: "/api/v1/webhooks/{id}/test",
    operationId: "test-webhook",
    summary: "Send a test event",
    description:
      "Sends a `webhook.test` event to the endpoint now (also to an inactive one) and answers once it answered or timed out (10 s): `success` is whether it answered 2xx. Takes no body (an empty one or `{}`).",
    tags: ["Webhooks"],
    request: { params: EndpointIdParam },
  },
  answer: { one: "webhookDelivery" },
  status: 200,
  description: "What the endpoint did with the test event.",
  errors: ["webhook_not_found"],
  handler: async (c) => {
    const { id } = c.req.valid("param");
    const { tenant } = c.var;
    const endpoint = await findEndpointWithSecret(c.var.db, tenant, id);
    if (!endpoint) throw new ApiError("webhook_not_found", { param: "id" });
    const sent = await sendTestEvent(c.env, { ...endpoint, ...tenant }, { db: c.var.db });
    if (!sent) throw new ApiError("webhook_not_found", { param: "id" });
    return sent;
  },
});
