import { and, asc, eq, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/database";
import { deliveries, events as history } from "../db/history-schema";
import { webhookEndpoints as endpoints, webhookEvents as outbox } from "../db/schema";
import { inTenant } from "../db/sql";
import { change, defineRead, defineWrite, param, select, tenantParams } from "../db/statements";
import type { StoredEvent } from "../events/present";
import { subscribesTo } from "../webhooks/outbox";

/**
 * The hand-off of an event from the catalog's outbox to the history
 * database. The two databases share no transaction, so every step can be
 * repeated: the copy and the deliveries are inserted unless they exist,
 * and the outbox row is marked dispatched only after they committed. A
 * worker that dies in between leaves the event undispatched; the sweep
 * sends it again and the repeat adds nothing twice.
 */

type OutboxEvent = StoredEvent & {
  dispatchedAt: number | null;
  /** An event from before the history database, fanned out then (see schema.ts). */
  fannedOutAt: number | null;
};

/** What a POST needs of its endpoint. `secret` is as stored: encrypted. */
export type EndpointTarget = { id: string; url: string; secret: string; apiVersion: string | null };

const byId = defineRead(
  {
    id: outbox.id,
    orgId: outbox.orgId,
    mode: outbox.mode,
    type: outbox.type,
    data: outbox.data,
    previous: outbox.previous,
    requestId: outbox.requestId,
    idempotencyKey: outbox.idempotencyKey,
    createdAt: outbox.createdAt,
    dispatchedAt: outbox.dispatchedAt,
    fannedOutAt: outbox.fannedOutAt,
  },
  (from) =>
    from()
      .from(outbox)
      .where(eq(outbox.id, param("eventId"))),
);

/** The outbox row of an event; null once purged (handed on long ago) or never committed. */
export async function findOutboxEvent(catalog: Db, eventId: string): Promise<OutboxEvent | null> {
  const [row] = await catalog.read(byId, { eventId });
  return row ?? null;
}

/**
 * The active endpoints of the event's tenant subscribed to its type (or to
 * `*`) that existed when it happened: an endpoint receives the events
 * recorded after it was created, not older ones a late sweep dispatches.
 */
const subscribed = defineRead({ id: endpoints.id }, (from) =>
  from()
    .from(endpoints)
    .where(
      and(
        inTenant(endpoints, tenantParams),
        subscribesTo(param("type")),
        sql`${endpoints.createdAt} <= ${param("eventCreatedAt")}`,
      ),
    )
    .orderBy(asc(endpoints.id)),
);

/** The IDs of the endpoints to create the event's deliveries for. */
export async function subscribedEndpoints(
  catalog: Db,
  event: Pick<StoredEvent, "orgId" | "mode" | "type" | "createdAt">,
): Promise<string[]> {
  const rows = await catalog.read(subscribed, {
    orgId: event.orgId,
    mode: event.mode,
    type: event.type,
    eventCreatedAt: event.createdAt,
  });
  return rows.map((r) => r.id);
}

/** A delivery as the hand-off reports it: the new ones and any the event already had. */
type HandedDelivery = {
  id: string;
  endpointId: string;
  status: "pending" | "succeeded" | "failed" | "dropped";
  attempts: number;
  createdAt: number;
};

/**
 * The event's copy (unless it is there) and one pending delivery per
 * planned (delivery ID, endpoint) pair (unless the event already has one for
 * that endpoint: a repeated hand-off creates nothing twice); the event's
 * deliveries come back, new and old.
 */
const handOffBatch = defineWrite({
  event: change((b) =>
    b
      .insert(history)
      .values({
        id: param("eventId"),
        orgId: tenantParams.orgId,
        mode: tenantParams.mode,
        type: param("type"),
        objectId: sql`json_extract(${param("data")}, '$.id')`,
        data: param("data"),
        previous: param("previous"),
        requestId: param("requestId"),
        idempotencyKey: param("idempotencyKey"),
        createdAt: param("createdAt"),
      })
      .onConflictDoNothing(),
  ),
  deliveries: change((b) =>
    b
      .insert(deliveries)
      .select(
        sql`SELECT json_extract(p.value, '$.id'), ${param("eventId")}, json_extract(p.value, '$.endpointId'),
          ${tenantParams.orgId}, ${tenantParams.mode}, ${param("type")}, 'pending', 0, ${param("now")},
          ${param("now")}, NULL, NULL, NULL
        FROM json_each(${param("planned")}) AS p WHERE 1`,
      )
      .onConflictDoNothing(),
  ),
  current: select(
    {
      id: deliveries.id,
      endpointId: deliveries.endpointId,
      status: deliveries.status,
      attempts: deliveries.attempts,
      createdAt: deliveries.createdAt,
    },
    (from) =>
      from()
        .from(deliveries)
        .where(and(eq(deliveries.eventId, param("eventId")), inTenant(deliveries, tenantParams))),
  ),
});

export async function handOff(
  store: Db,
  event: StoredEvent,
  planned: { id: string; endpointId: string }[],
  now: number,
): Promise<HandedDelivery[]> {
  const { current } = await store.write(handOffBatch, {
    orgId: event.orgId,
    mode: event.mode,
    eventId: event.id,
    type: event.type,
    data: event.data,
    previous: event.previous,
    requestId: event.requestId,
    idempotencyKey: event.idempotencyKey,
    createdAt: event.createdAt,
    planned: JSON.stringify(planned),
    now,
  });
  return current;
}

const dispatchBatch = defineWrite({
  dispatch: change((b) =>
    b
      .update(outbox)
      .set({ dispatchedAt: param("now") })
      .where(
        and(
          eq(outbox.id, param("eventId")),
          inTenant(outbox, tenantParams),
          isNull(outbox.dispatchedAt),
        ),
      ),
  ),
});

/** Marks the outbox row handed on (after the history committed); the purge removes it later. */
export async function markHandedOn(catalog: Db, event: StoredEvent, now: number): Promise<void> {
  await catalog.write(dispatchBatch, {
    orgId: event.orgId,
    mode: event.mode,
    eventId: event.id,
    now,
  });
}
