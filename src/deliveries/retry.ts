import { ApiError } from "../errors";
import { storesOf } from "../history/stores";
import { defineOperation } from "../operation/define";
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
    const now = Date.now();
    const { catalog, history } = storesOf(c.env, c.var.db);
    // The first write: an Idempotency-Key is claimed here, only while the
    // endpoint exists, with the time of this retry (see rebuild).
    const endpoint = await claimEndpoint(catalog, c.var.tenant, id, String(now));
    if (!endpoint) throw new ApiError("webhook_not_found", { param: "id" });
    if (!endpoint.isActive) throw new ApiError("endpoint_inactive", { param: "id" });
    const delivery = await retryDelivery(history, c.var.tenant, id, deliveryId, now);
    if (!delivery) throw new ApiError("webhook_delivery_not_found", { param: "deliveryId" });
    enqueueDeliveries(c, [delivery.id]);
    return delivery;
  },
  /**
   * The answer to a keyed retry whose first attempt's answer was lost. The
   * key was claimed in the catalog before the history was written, so the
   * history may not have the retry: a delivery that ended before the claim
   * (its retry would have made it pending, and it could only have ended
   * after) is retried now; otherwise it is answered as it is, never retried
   * twice.
   */
  rebuild: async (c, claimedAt) => {
    const { id, deliveryId } = c.req.valid("param");
    const { catalog, history } = storesOf(c.env, c.var.db);
    const [endpoint, delivery] = await Promise.all([
      findEndpoint(catalog, c.var.tenant, id),
      findDelivery(history, c.var.tenant, id, deliveryId),
    ]);
    if (!endpoint || !delivery) return null;
    const since = Number(claimedAt);
    const lost =
      endpoint.isActive &&
      delivery.status !== "pending" &&
      Number.isSafeInteger(since) &&
      (delivery.completedAt ?? 0) < since;
    if (!lost) return delivery;
    const retried = await retryDelivery(history, c.var.tenant, id, deliveryId, Date.now());
    if (retried) enqueueDeliveries(c, [retried.id]);
    return retried;
  },
});
