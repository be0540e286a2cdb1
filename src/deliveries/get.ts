import { ApiError } from "../errors";
import { storesOf } from "../history/stores";
import { defineOperation } from "../operation/define";
import { findEndpoint } from "../webhooks/queries";
import { findDelivery } from "./queries";
import { DeliveryParams } from "./schemas";

export default defineOperation({
  route: {
    method: "get",
    path: "/api/v1/webhooks/{id}/deliveries/{deliveryId}",
    operationId: "get-webhook-delivery",
    summary: "Get a delivery",
    description: "One delivery of the endpoint, with every attempt (oldest first).",
    tags: ["Webhooks"],
    request: { params: DeliveryParams },
  },
  answer: { one: "webhookDeliveryLog" },
  status: 200,
  description: "The delivery.",
  errors: ["webhook_not_found", "webhook_delivery_not_found"],
  handler: async (c) => {
    const { id, deliveryId } = c.req.valid("param");
    const { tenant } = c.var;
    const { catalog, history } = storesOf(c.env, c.var.db);
    const [endpoint, delivery] = await Promise.all([
      findEndpoint(catalog, tenant, id),
      findDelivery(history, tenant, id, deliveryId),
    ]);
    if (!endpoint) throw new ApiError("webhook_not_found", { param: "id" });
    if (!delivery) throw new ApiError("webhook_delivery_not_found", { param: "deliveryId" });
    return delivery;
  },
});
