import type { Context } from "hono";
import type { AppEnv } from "../env";
import { logError } from "../lib/log";
import { deliveryMessages, sendAll } from "../webhooks/queue";

/**
 * Sends the deliveries (pending and due now) to the queue after the
 * response. Should the send fail, nothing is lost: the cron sweep enqueues
 * every overdue pending delivery.
 */
export function enqueueDeliveries(c: Context<AppEnv>, deliveryIds: string[]) {
  if (deliveryIds.length === 0) return;
  c.executionCtx.waitUntil(
    sendAll(c.env.WEBHOOK_QUEUE, deliveryMessages(deliveryIds)).catch((err: unknown) =>
      logError(c, "deliveries not enqueued (the sweep will)", err),
    ),
  );
}
