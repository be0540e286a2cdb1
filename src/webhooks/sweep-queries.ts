import { and, asc, eq, inArray, isNull, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/database";
import { deliveries } from "../db/history-schema";
import { webhookEvents as events, serviceState } from "../db/schema";
import { change, defineWrite, param, select } from "../db/statements";

/**
 * The queue's progress mark: the latest `at` of a `{ kind: "mark" }` message
 * the consumer handled. Every message sent well before it has been delivered
 * (Queues keeps order only roughly), so an event or delivery whose message
 * went out before it and that is still waiting lost its message.
 */
const MARK = "webhook_queue_mark";

const markRow = eq(serviceState.name, MARK);

/** Garbage in the row reads as 0: nothing is re-enqueued until the next mark replaces it. */
const markAt = sql`(SELECT CAST(${serviceState.value} AS INTEGER) FROM ${serviceState} WHERE ${markRow})`;

/** `before`, and once a mark was recorded, also before the mark less `slack`. */
const cutoff = (before: string) =>
  sql`MIN(${param(before)}, COALESCE(${markAt} - ${param("slack")}, ${param(before)}))`;

const eventsCutoff = cutoff("eventsBefore");
/** In the history database, the mark is passed in (read from the catalog by the same sweep). */
const deliveriesCutoff = sql`MIN(${param("deliveriesBefore")}, COALESCE(${param("mark")} - ${param("slack")}, ${param("deliveriesBefore")}))`;

/**
 * Undispatched events last enqueued (by their write, or by a sweep) before
 * the cutoff. `requeued_at` is always after `created_at`, so the
 * `created_at` term only narrows the search to the partial index.
 */
const lostEvent = and(
  isNull(events.dispatchedAt),
  sql`${events.createdAt} < ${eventsCutoff}`,
  sql`COALESCE(${events.requeuedAt}, ${events.createdAt}) < ${eventsCutoff}`,
) as SQL;
// The id breaks ties, so the UPDATE takes exactly the rows the SELECT returned.
const oldestEvents = [asc(events.createdAt), asc(events.id)];

/**
 * Pending deliveries whose message was due (a retry's delay, a wait for a
 * slot, a lease, a sweep's own send: `next_attempt_at`) before the cutoff.
 * `'pending'` is a literal, not a bound value: only then can SQLite use the
 * partial index deliveries_pending_idx instead of scanning 30 days
 * of deliveries.
 */
const lostDelivery = and(
  sql`${deliveries.status} = 'pending'`,
  sql`${deliveries.nextAttemptAt} < ${deliveriesCutoff}`,
) as SQL;
const oldestDeliveries = [asc(deliveries.nextAttemptAt), asc(deliveries.id)];

const limit = sql.placeholder("limit");

/**
 * One transaction of each database: what to put back on the queue, and the
 * time it is put back (the sweep's), so later runs count that message as
 * queued until a mark passes it.
 */
const lostEventsBatch = defineWrite({
  mark: select({ value: serviceState.value }, (from) => from().from(serviceState).where(markRow)),
  events: select({ id: events.id }, (from) =>
    from()
      .from(events)
      .where(lostEvent)
      .orderBy(...oldestEvents)
      .limit(limit),
  ),
  requeueEvents: change((b) =>
    b
      .update(events)
      .set({ requeuedAt: param("now") })
      .where(
        inArray(
          events.id,
          b
            .select({ id: events.id })
            .from(events)
            .where(lostEvent)
            .orderBy(...oldestEvents)
            .limit(limit),
        ),
      ),
  ),
});

const lostDeliveriesBatch = defineWrite({
  deliveries: select({ id: deliveries.id }, (from) =>
    from()
      .from(deliveries)
      .where(lostDelivery)
      .orderBy(...oldestDeliveries)
      .limit(limit),
  ),
  requeueDeliveries: change((b) =>
    b
      .update(deliveries)
      .set({ nextAttemptAt: param("now") })
      .where(
        inArray(
          deliveries.id,
          b
            .select({ id: deliveries.id })
            .from(deliveries)
            .where(lostDelivery)
            .orderBy(...oldestDeliveries)
            .limit(limit),
        ),
      ),
  ),
});

type Lost = {
  events: string[];
  deliveries: string[];
  /** The mark the cutoff used (null: none recorded yet, or unreadable). */
  mark: number | null;
};

/**
 * Takes up to `limit` events (catalog) and deliveries (history), of every
 * tenant, oldest first, whose message is lost: last enqueued before
 * `eventsBefore` (deliveries: `deliveriesBefore`) and, once the consumer has
 * recorded a mark, before that mark less `slack`; records `now` as their
 * last enqueue.
 */
export async function takeLost(
  catalog: Db,
  history: Db,
  cut: { now: number; eventsBefore: number; deliveriesBefore: number; slack: number },
  limit: number,
): Promise<Lost> {
  const found = await catalog.write(lostEventsBatch, { ...cut, limit });
  const value = found.mark[0]?.value;
  const mark = value !== undefined && /^\d{1,16}$/.test(value) ? Number(value) : null;
  const lost = await history.write(lostDeliveriesBatch, { ...cut, mark, limit });
  return {
    events: found.events.map((r) => r.id),
    deliveries: lost.deliveries.map((r) => r.id),
    mark,
  };
}

const markBatch = defineWrite({
  mark: change((b) =>
    b
      .insert(serviceState)
      .values({ name: MARK, value: param("at"), updatedAt: param("now") })
      .onConflictDoUpdate({
        target: serviceState.name,
        set: { value: sql`excluded.value`, updatedAt: sql`excluded.updated_at` },
        // Marks arrive out of order: keep the latest.
        setWhere: sql`CAST(${serviceState.value} AS INTEGER) < CAST(excluded.value AS INTEGER)`,
      }),
  ),
});

/** Records a mark the consumer handled (kept only if later than the one recorded). */
export async function recordMark(db: Db, at: number, now: number): Promise<void> {
  await db.write(markBatch, { at: String(at), now });
}
