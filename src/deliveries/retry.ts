import { ApiError } from "../errors";
import { storesOf } from "../history/stores";
import { defineOperation } from "../lib/operation";
import { claimEndpoint, findEndpoint } from "../webhooks/queries";
import { enqueueDeliveries } from "./enqueue";
import { findDelivery, retryDelivery } from "./queries";
import { DeliveryParams } from "./schemas";

export default defineOperation({
  route: {
    method: "post",
    path: "/api/v1/webhooks/{id}/deliveries/{deliveryId}/retry",
    operationId: "retry-webhook-delivery",
    summary: "Retry a delivery",
    description:
      "Sends the delivery's event to the endpoint again, as a new attempt with the same event ID, whatever the delivery's status: it becomes `pending`, due now. The endpoint must be active. Takes no body (an empty one or `{}`).",
    tags: ["Webhooks"],
    request: { params: DeliveryParams },
  },
  answer: { one: "webhookDeliveryLog" },
  status: 200,
  description: "The delivery, pending and due now.",
  errors: ["webhook_not_found", "webhook_delivery_not_found", "endpoint_inactive"],
  handler: async (c) => {
    const { id, deliveryId } = c.req.valid("param");
    const { tenant } = c.var;
    const { catalog, history } = storesOf(c.env, c.var.db);
    // The first write: an Idempotency-Key is claimed here, only while the endpoint exists.
    const endpoint = await claimEndpoint(catalog, tenant, id, deliveryId);
    if (!endpoint) throw new ApiError("webhook_not_found", { param: "id" });
    if (!endpoint.isActive) throw new ApiError("endpoint_inactive", { param: "id" });
    const delivery = await retryDelivery(history, tenant, id, deliveryId, Date.now());
    if (!delivery) throw new ApiError("webhook_delivery_not_found", { param: "deliveryId" });
    enqueueDeliveries(c, [delivery.id]);
    return delivery;
  },
  // Never a second retry (it could send the event twice): the delivery as it is now.
  rebuild: async (c) => {
    const { id, deliveryId } = c.req.valid("param");
    const { catalog, history } = storesOf(c.env, c.var.db);
    const [endpoint, delivery] = await Promise.all([
      findEndpoint(catalog, c.var.tenant, id),
      findDelivery(history, c.var.tenant, id, deliveryId),
    ]);
    return endpoint ? delivery : null;
  },
});
