import { createMiddleware } from "hono/factory";
import type { RecordedEvent } from "../db/database";
import type { AppEnv } from "../env";
import { logError } from "../lib/log";
import { eventMessages, sendAll } from "./queue";

/**
 * The events this request's writes recorded go to the delivery queue after
 * the response (`waitUntil`). Should the Worker die first, nothing is lost:
 * the cron sweep enqueues every recorded event that was never dispatched.
 */
export function outbox() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const recorded: RecordedEvent[] = [];
    c.set("db", c.var.db.with({ onEvents: (events) => recorded.push(...events) }));
    await next();
    if (recorded.length === 0) return;
    c.executionCtx.waitUntil(
      sendAll(c.env.WEBHOOK_QUEUE, eventMessages(recorded.map((e) => e.id))).catch((err: unknown) =>
        logError(c, "events not enqueued (the sweep will)", err),
      ),
    );
  });
}
