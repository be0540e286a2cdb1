import type { Context } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { type Stores, storesOf } from "../history/stores";
import { ID_SKEW_MS, idFloor } from "../lib/ids";
import { jsonBody } from "../lib/openapi";
import { defineOperation } from "../operation/define";
import { EVENT_TYPES } from "../webhooks/events";
import { claimEndpoint, findEndpoint } from "../webhooks/queries";
import type { WebhookRecord } from "../webhooks/record";
import { EndpointIdParam } from "../webhooks/schemas";
import { enqueueDeliveries } from "./enqueue";
import { RECOVER_LIMIT, recoverEvents } from "./queries";
import { type RecoveryRange, recoveryRange } from "./range";
import type { RecoveryRecord } from "./record";
import { RecoverBody } from "./schemas";

/** The known event types `endpoint` receives (never `webhook.test`). */
const typesOf = (endpoint: WebhookRecord) =>
  endpoint.events.includes("*")
    ? EVENT_TYPES
    : EVENT_TYPES.filter((t) => endpoint.events.includes(t));

/**
 * Queues the oldest events of the range the endpoint never received (only
 * those since it exists), then hands the deliveries to the queue.
 */
async function recover(
  c: Context<AppEnv>,
  { history }: Stores,
  endpoint: WebhookRecord,
  range: RecoveryRange,
): Promise<RecoveryRecord> {
  const now = Date.now();
  const since = Math.max(range.since, endpoint.createdAt);
  const { deliveryIds, nextSince } = await recoverEvents(history, {
    tenant: c.var.tenant,
    endpointId: endpoint.id,
    types: typesOf(endpoint),
    since,
    until: range.until,
    fromId: idFloor("whev", since - ID_SKEW_MS),
    toId: idFloor("whev", range.until + ID_SKEW_MS),
    idPrefix: idFloor("whdl", now),
    now,
  });
  enqueueDeliveries(c, deliveryIds);
  return { queued: deliveryIds.length, hasMore: nextSince !== null, nextSince };
}

export default defineOperation({
  route: {
    method: "post",
    path: "/api/v1/webhooks/{id}/recover",
    operationId: "recover-webhook-events",
    summary: "Recover missed events",
    description: `Queues again, once each, every event of \`[since, until)\` that the endpoint subscribes to and never received: its delivery failed or was dropped, or it had none because the endpoint was inactive then. Oldest first, at most ${RECOVER_LIMIT} per call: while \`hasMore\`, call again with \`since\` = \`nextSince\`. Recovering a range again queues nothing new; delivered and pending events are never queued. The endpoint must be active (reactivating it replays nothing by itself).`,
    tags: ["Webhooks"],
    request: { params: EndpointIdParam, body: jsonBody(RecoverBody) },
  },
  answer: { one: "webhookRecovery" },
  status: 200,
  description: "How many events were queued, and where to continue.",
  errors: ["webhook_not_found", "endpoint_inactive"],
  handler: async (c) => {
    const { id } = c.req.valid("param");
    const range = recoveryRange(c.req.valid("json"), Date.now());
    const stores = storesOf(c.env, c.var.db);
    // The first write claims an Idempotency-Key with the range's end, so a rebuilt answer recovers the same range.
    const endpoint = await claimEndpoint(stores.catalog, c.var.tenant, id, String(range.until));
    if (!endpoint) throw new ApiError("webhook_not_found", { param: "id" });
    if (!endpoint.isActive) throw new ApiError("endpoint_inactive", { param: "id" });
    return recover(c, stores, endpoint, range);
  },
  // Recovering is idempotent: running it again queues only what the first run did not.
  rebuild: async (c, resourceId) => {
    const until = Number(resourceId);
    if (!Number.isSafeInteger(until)) return null;
    const stores = storesOf(c.env, c.var.db);
    const endpoint = await findEndpoint(stores.catalog, c.var.tenant, c.req.valid("param").id);
    if (!endpoint?.isActive) return null;
    return recover(c, stores, endpoint, { since: Date.parse(c.req.valid("json").since), until });
  },
});
