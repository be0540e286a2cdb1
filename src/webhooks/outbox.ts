import { type SQL, sql } from "drizzle-orm";
import { webhookEndpoints as endpoints, webhookEvents } from "../db/schema";
import { valuesWhere } from "../db/sql";
import {
  change,
  compiler,
  eventIdParam,
  eventInsert,
  IDEMPOTENCY_KEY_PARAM,
  param,
  REQUEST_ID_PARAM,
  tenantParams,
} from "../db/statements";
import type { EventType } from "./events";

/** Whether the endpoint row at hand is active and subscribed to events of `type` (itself or `*`). */
export const subscribesTo = (type: SQL) =>
  sql`${endpoints.isActive} = 1 AND EXISTS (SELECT 1 FROM json_each(${endpoints.events}) WHERE value IN (${type}, '*'))`;

/**
 * The outbox: a write records its events in its own batch, so there is no
 * change without its event and no event without its change. `when` is checked
 * where the insert stands in the batch (usually first, on the state before
 * the change); `data` is the object's internal state as JSON, taken there too,
 * or left NULL and set by `fill` once the change is done; `previous` (for an
 * update or a reorder) is the state before the change, taken there. The
 * event names its request (x-request-id, Idempotency-Key). A batch records
 * each event type at most once.
 *
 * Every event is handed on to the history database (the events API lists
 * it, whether or not an endpoint subscribes), so every one is enqueued: the
 * insert returns `dispatched_at` (NULL), which tells the write to send it.
 */
export const record = (type: EventType, opts: { when: SQL; data?: SQL; previous?: SQL }) =>
  eventInsert(type, () =>
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
            data: opts.data ?? sql`NULL`,
            previous: opts.previous ?? sql`NULL`,
            requestId: param(REQUEST_ID_PARAM),
            idempotencyKey: param(IDEMPOTENCY_KEY_PARAM),
            createdAt: param("now"),
          },
          opts.when,
        ),
      )
      // Read by toDeliver (src/db/statements.ts).
      .returning({ dispatchedAt: webhookEvents.dispatchedAt }),
  );

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
