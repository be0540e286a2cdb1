import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { MODES } from "../tenant";

/**
 * The history database (binding HISTORY_DB, migrations in
 * migrations-history/): 30 days of events, deliveries and attempts, kept
 * out of the catalog database so its growth never stops a plan write. Times
 * are epoch milliseconds, as in the catalog.
 */

/**
 * Every event handed on from the catalog's outbox (webhook_events), and
 * every test send's event. `data` and `previous` are the object's internal
 * state after and before the change, as JSON; readers present them in their
 * own API version.
 */
export const events = sqliteTable(
  "events",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    mode: text("mode", { enum: MODES }).notNull(),
    type: text("type").notNull(),
    // The id of the object in `data` (the group or the plan): the `objectId` filter.
    objectId: text("object_id"),
    data: text("data"),
    previous: text("previous"),
    requestId: text("request_id"),
    idempotencyKey: text("idempotency_key"),
    createdAt: integer("created_at").notNull(),
  },
  // IDs sort by creation time: (tenant, id) serves newest first and time ranges.
  (t) => [
    index("events_tenant_id_idx").on(t.orgId, t.mode, t.id),
    index("events_object_idx").on(t.orgId, t.mode, t.objectId, t.id),
    index("events_created_at_idx").on(t.createdAt),
  ],
);

export const DELIVERY_STATUSES = ["pending", "succeeded", "failed", "dropped"] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * One event on its way to one endpoint: retried until it succeeds or is
 * given up (`failed`), or ended unsent because the endpoint was gone or
 * inactive (`dropped`).
 */
export const deliveries = sqliteTable(
  "deliveries",
  {
    id: text("id").primaryKey(),
    eventId: text("event_id").notNull(),
    endpointId: text("endpoint_id").notNull(),
    orgId: text("org_id").notNull(),
    mode: text("mode", { enum: MODES }).notNull(),
    // The event's type, so a delivery list filters without a join.
    type: text("type").notNull(),
    status: text("status", { enum: DELIVERY_STATUSES }).notNull(),
    attempts: integer("attempts").notNull(),
    nextAttemptAt: integer("next_attempt_at"),
    createdAt: integer("created_at").notNull(),
    completedAt: integer("completed_at"),
    // Set while a POST of this delivery may be in flight (until the attempt
    // is recorded, or this lease ends): bounds the POSTs one endpoint gets at once.
    sendingUntil: integer("sending_until"),
    // When a recover queued it again: a later recover of the same range skips it.
    recoveredAt: integer("recovered_at"),
  },
  (t) => [
    uniqueIndex("deliveries_event_endpoint_uq").on(t.eventId, t.endpointId),
    index("deliveries_endpoint_id_idx").on(t.endpointId, t.orgId, t.mode, t.id),
    index("deliveries_sending_idx")
      .on(t.endpointId, t.sendingUntil)
      .where(sql`${t.sendingUntil} IS NOT NULL`),
    index("deliveries_created_at_idx").on(t.createdAt),
    index("deliveries_pending_idx").on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
  ],
);

/** Every POST to an endpoint: what it answered, how long it took, what failed. */
export const attempts = sqliteTable(
  "attempts",
  {
    id: text("id").primaryKey(),
    deliveryId: text("delivery_id").notNull(),
    endpointId: text("endpoint_id").notNull(),
    eventId: text("event_id").notNull(),
    attempt: integer("attempt").notNull(),
    statusCode: integer("status_code"),
    durationMs: integer("duration_ms").notNull(),
    error: text("error"),
    // At most 1 KiB of what the receiver answered.
    responseExcerpt: text("response_excerpt"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    index("attempts_delivery_idx").on(t.deliveryId, t.attempt),
    index("attempts_created_at_idx").on(t.createdAt),
  ],
);

/**
 * The queue's progress mark (see src/webhooks/sweep-queries.ts) lives in the
 * catalog's service_state; nothing here needs state of its own.
 */
