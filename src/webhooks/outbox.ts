import { type SQL, sql } from "drizzle-orm";
import { webhookEndpoints as endpoints, webhookEvents } from "../db/schema";
import { inTenant, valuesWhere } from "../db/sql";
import { change, compiler, eventIdParam, eventInsert, param, tenantParams } from "../db/statements";
import type { EventType } from "./events";

/** Whether the endpoint row at hand is active and subscribed to events of `type` (itself or `*`). */
export const subscribesTo = (type: SQL) =>
  sql`${endpoints.isActive} = 1 AND EXISTS (SELECT 1 FROM json_each(${endpoints.events}) WHERE value IN (${type}, '*'))`;

/**
 * The outbox: a write records its events in its own batch, so there is no
 * change without its event and no event without its change. `when` is checked
 * where the insert stands in the batch (usually first, on the state before
 * the change); `data` is the object's internal state as JSON, taken there too,
 * or left NULL and set by `fill` once the change is done. A batch records
 * each event type at most once.
 *
 * An event no active endpoint of the tenant subscribes to is recorded as
 * already dispatched and without data: it costs its organization one small
 * insert, no snapshot, no queue message and no delivery work. The insert returns `dispatched_at`, so the
 * write knows which events to enqueue.
 */
export const record = (type: EventType, opts: { when: SQL; data?: SQL }) => {
  const subscribed = sql`EXISTS (
    SELECT 1 FROM ${endpoints}
    WHERE ${inTenant(endpoints, tenantParams)} AND ${subscribesTo(sql`${type}`)}
  )`;
  return eventInsert(type, () =>
    compiler
      .insert(webhookEvents)
      .select(
        valuesWhere(
          webhookEvents,
          {
            id: param(eventIdParam(type)),
            orgId: tenantParams.orgId,
            mode: tenantParams.mode,
            type: sql`${type}`,
            // Nobody to tell: no snapshot either, just the event's row.
            data: opts.data ? sql`CASE WHEN ${subscribed} THEN ${opts.data} END` : sql`NULL`,
            createdAt: param("now"),
            dispatchedAt: sql`CASE WHEN ${subscribed} THEN NULL ELSE ${param("now")} END`,
          },
          opts.when,
        ),
      )
      // Read by toDeliver (src/db/statements.ts).
      .returning({ dispatchedAt: webhookEvents.dispatchedAt }),
  );
};

/**
 * Sets the data of this batch's `type` event from the state the change left,
 * when the event is to be delivered (an event nobody subscribes to keeps none).
 */
export const fill = (type: EventType, data: SQL) =>
  change((b) =>
    b
      .update(webhookEvents)
      .set({ data })
      .where(
        sql`${webhookEvents.id} = ${param(eventIdParam(type))} AND ${webhookEvents.dispatchedAt} IS NULL`,
      ),
  );
