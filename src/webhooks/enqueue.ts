import type { Context } from "hono";
import type { RecordedEvent } from "../db/database";
import type { AppEnv } from "../env";
import { logError } from "../lib/log";
import { eventMessages, sendAll } from "./queue";

/**
 * The events this request's writes record (`add`, the database's event sink)
 * go to the delivery queue after the response (`send`, through `waitUntil`).
 * Should the Worker die first, nothing is lost: the cron sweep enqueues every
 * recorded event that was never dispatched.
 */
export class Outbox {
  private readonly recorded: string[] = [];

  readonly add = (events: RecordedEvent[]) => {
    for (const event of events) this.recorded.push(event.id);
  };

  send(c: Context<AppEnv>) {
    if (this.recorded.length === 0) return;
    c.executionCtx.waitUntil(
      sendAll(c.env.WEBHOOK_QUEUE, eventMessages(this.recorded)).catch((err: unknown) =>
        logError(c, "events not enqueued (the sweep will)", err),
      ),
    );
  }
}
