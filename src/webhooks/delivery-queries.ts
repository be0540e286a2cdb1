import { and, asc, eq, isNull, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/database";
import {
  webhookAttempts as attempts,
  webhookDeliveries as deliveries,
  webhookEndpoints as endpoints,
  webhookEvents as events,
} from "../db/schema";
import { inTenant, valuesWhere } from "../db/sql";
import { change, defineRead, defineWrite, param, select, tenantParams } from "../db/statements";
import type { Mode, Tenant } from "../env";
import { subscribesTo } from "./outbox";
import { DEACTIVATE_AFTER_FAILURES, ENDPOINT_MAX_IN_FLIGHT, STREAK_GAP_MS } from "./schedule";

/**
 * Everything the delivery pipeline asks of D1. Background work starts from an
 * internal ID (a queue message's event or delivery, the cron's scan), which
 * is how it learns the tenant; every statement after that carries the
 * tenant's predicate, and joins match on it too.
 */

export type EventRow = {
  id: string;
  orgId: string;
  mode: Mode;
  type: string;
  data: string | null;
  createdAt: number;
};

/** What a POST needs of its endpoint. `secret` is as stored: encrypted. */
export type EndpointTarget = {
  id: string;
  url: string;
  secret: string;
  apiVersion: string | null;
};

const eventColumns = {
  id: events.id,
  orgId: events.orgId,
  mode: events.mode,
  type: events.type,
  data: events.data,
  createdAt: events.createdAt,
};

const eventById = defineRead(eventColumns, (from) =>
  from()
    .from(events)
    .where(eq(events.id, param("eventId"))),
);

export async function findEvent(db: Db, eventId: string): Promise<EventRow | null> {
  const [row] = await db.read(eventById, { eventId });
  return row ?? null;
}

const targetColumns = {
  id: endpoints.id,
  url: endpoints.url,
  secret: endpoints.secret,
  apiVersion: endpoints.apiVersion,
};

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
export async function subscribedEndpoints(db: Db, event: EventRow): Promise<string[]> {
  const rows = await db.read(subscribed, {
    orgId: event.orgId,
    mode: event.mode,
    type: event.type,
    eventCreatedAt: event.createdAt,
  });
  return rows.map((r) => r.id);
}

const deliveryColumns = {
  id: deliveries.id,
  endpointId: deliveries.endpointId,
  status: deliveries.status,
  attempts: deliveries.attempts,
  createdAt: deliveries.createdAt,
};

type DeliveryRow = {
  id: string;
  endpointId: string;
  status: "pending" | "succeeded" | "failed";
  attempts: number;
  createdAt: number;
};

const ofEvent = and(eq(deliveries.eventId, param("eventId")), inTenant(deliveries, tenantParams));

/**
 * One delivery per planned (delivery ID, endpoint) pair, unless the event
 * already has one for that endpoint (a redelivered message creates nothing
 * twice) or the endpoint is no longer active and subscribed (it was read in
 * an earlier round trip); the event is marked dispatched in the same
 * transaction; the event's deliveries come back, new and old.
 */
const fanOutBatch = defineWrite({
  insert: change((b) =>
    b
      .insert(deliveries)
      .select(
        sql`SELECT json_extract(p.value, '$.id'), ${param("eventId")}, ${endpoints.id},
          ${endpoints.orgId}, ${endpoints.mode}, 'pending', 0, ${param("now")}, ${param("now")}, NULL, NULL
        FROM json_each(${param("planned")}) AS p
        JOIN ${endpoints} ON ${endpoints.id} = json_extract(p.value, '$.endpointId')
        WHERE ${inTenant(endpoints, tenantParams)} AND ${subscribesTo(param("type"))}`,
      )
      .onConflictDoNothing(),
  ),
  dispatch: change((b) =>
    b
      .update(events)
      .set({ dispatchedAt: param("now") })
      .where(
        and(
          eq(events.id, param("eventId")),
          inTenant(events, tenantParams),
          isNull(events.dispatchedAt),
        ),
      ),
  ),
  deliveries: select(deliveryColumns, (from) => from().from(deliveries).where(ofEvent)),
});

export async function fanOut(
  db: Db,
  event: EventRow,
  planned: { id: string; endpointId: string }[],
  now: number,
): Promise<DeliveryRow[]> {
  const result = await db.write(fanOutBatch, {
    orgId: event.orgId,
    mode: event.mode,
    eventId: event.id,
    type: event.type,
    planned: JSON.stringify(planned),
    now,
  });
  return result.deliveries;
}

/** A delivery with what attempting it needs; endpoint and event are null once gone. */
type DeliveryJob = {
  id: string;
  orgId: string;
  mode: Mode;
  status: "pending" | "succeeded" | "failed";
  attempts: number;
  nextAttemptAt: number | null;
  createdAt: number;
  /** Whether it is active: its URL and secret are read when an attempt is claimed. */
  endpoint: { id: string; isActive: boolean } | null;
  event: EventRow | null;
};

const jobById = defineRead(
  {
    id: deliveries.id,
    orgId: deliveries.orgId,
    mode: deliveries.mode,
    status: deliveries.status,
    attempts: deliveries.attempts,
    nextAttemptAt: deliveries.nextAttemptAt,
    createdAt: deliveries.createdAt,
    endpointId: endpoints.id,
    isActive: endpoints.isActive,
    eventId: events.id,
    type: events.type,
    data: events.data,
    eventCreatedAt: events.createdAt,
  },
  (from) =>
    from()
      .from(deliveries)
      .leftJoin(
        endpoints,
        sql`${endpoints.id} = ${deliveries.endpointId} AND ${endpoints.orgId} = ${deliveries.orgId} AND ${endpoints.mode} = ${deliveries.mode}`,
      )
      .leftJoin(
        events,
        sql`${events.id} = ${deliveries.eventId} AND ${events.orgId} = ${deliveries.orgId} AND ${events.mode} = ${deliveries.mode}`,
      )
      .where(eq(deliveries.id, param("deliveryId"))),
);

export async function findDeliveryJob(db: Db, deliveryId: string): Promise<DeliveryJob | null> {
  const [row] = await db.read(jobById, { deliveryId });
  if (!row) return null;
  const { endpointId, isActive, eventId, type, data, eventCreatedAt } = row;
  return {
    id: row.id,
    orgId: row.orgId,
    mode: row.mode,
    status: row.status,
    attempts: row.attempts,
    nextAttemptAt: row.nextAttemptAt,
    createdAt: row.createdAt,
    endpoint: endpointId && isActive !== null ? { id: endpointId, isActive } : null,
    event:
      eventId && type && eventCreatedAt !== null
        ? { id: eventId, orgId: row.orgId, mode: row.mode, type, data, createdAt: eventCreatedAt }
        : null,
  };
}

const thisDelivery = and(
  eq(deliveries.id, param("deliveryId")),
  inTenant(deliveries, tenantParams),
  eq(deliveries.status, "pending"),
) as SQL;

const thisEndpoint = and(
  eq(endpoints.id, param("endpointId")),
  inTenant(endpoints, tenantParams),
) as SQL;

const endpointActive = sql`EXISTS (SELECT 1 FROM ${endpoints} WHERE ${thisEndpoint} AND ${endpoints.isActive} = 1)`;

/** Ends a pending delivery as failed, without another attempt. */
const failUnsent = (where: SQL) =>
  change((b) =>
    b
      .update(deliveries)
      .set({ status: "failed", nextAttemptAt: sql`NULL`, completedAt: param("now") })
      .where(where),
  );

const sending = alias(deliveries, "sending");

/**
 * A POST to the endpoint may start: fewer than `maxInFlight` of its
 * deliveries hold an in-flight slot (`sending_until` not yet passed). A slot
 * is freed when its attempt is recorded, or when its lease ends (the worker
 * died mid-POST).
 */
const slotFree = sql`(SELECT count(*) FROM ${deliveries} AS ${sending} WHERE ${sending.endpointId} = ${param("endpointId")} AND ${inTenant(sending, tenantParams)} AND ${sending.sendingUntil} > ${param("now")}) < ${param("maxInFlight")}`;

const claimable = and(thisDelivery, eq(deliveries.attempts, param("attempts")), endpointActive);

/**
 * Takes attempt number `attempts + 1` of a pending delivery, only if nobody
 * took it since `attempts` was read (two copies of a message never send one
 * attempt twice), its endpoint is still active and one of the endpoint's
 * in-flight slots is free; until `leaseUntil` the delivery holds that slot
 * and is not due again. The endpoint's URL and secret are read here, in
 * the claim's transaction: an attempt may have waited (behind the POST
 * limiter, or for its retry) since the endpoint was first read, and is sent
 * to the endpoint as it is now. A delivery whose endpoint was deleted or
 * deactivated meanwhile ends failed, unsent. One that found every slot
 * taken is not attempted: its `next_attempt_at` moves to now, when its
 * message goes back to the queue for a few seconds (the sweep counts a
 * message sent then as still queued until a mark well after it).
 */
const claimBatch = defineWrite({
  claim: change((b) =>
    b
      .update(deliveries)
      .set({
        attempts: sql`${deliveries.attempts} + 1`,
        nextAttemptAt: param("leaseUntil"),
        sendingUntil: param("leaseUntil"),
      })
      .where(and(claimable, slotFree)),
  ),
  // After the claim: a claimed delivery no longer has `attempts` as read.
  wait: change((b) =>
    b
      .update(deliveries)
      .set({ nextAttemptAt: param("now") })
      .where(and(claimable, sql`NOT ${slotFree}`)),
  ),
  drop: failUnsent(and(thisDelivery, sql`NOT ${endpointActive}`) as SQL),
  target: select(targetColumns, (from) => from().from(endpoints).where(thisEndpoint)),
});

export type Claim =
  | { claimed: true; target: EndpointTarget }
  /**
   * `taken`: another copy of the message took it (or it is no longer
   * pending); `dropped`: its endpoint is gone or inactive; `busy`: the
   * endpoint's in-flight slots were all taken (nothing was counted).
   */
  | { claimed: false; why: "taken" | "dropped" | "busy" };

export async function claimAttempt(
  db: Db,
  tenant: Tenant,
  claim: {
    deliveryId: string;
    endpointId: string;
    attemptsSeen: number;
    leaseUntil: number;
  },
): Promise<Claim> {
  const {
    claim: claimed,
    wait,
    drop,
    target,
  } = await db.write(claimBatch, {
    ...tenant,
    deliveryId: claim.deliveryId,
    endpointId: claim.endpointId,
    attempts: claim.attemptsSeen,
    leaseUntil: claim.leaseUntil,
    maxInFlight: ENDPOINT_MAX_IN_FLIGHT,
    now: Date.now(),
  });
  const [row] = target;
  // Claimed means the endpoint was active in the same transaction, so its row came back.
  if (claimed > 0 && row) return { claimed: true, target: row };
  return { claimed: false, why: drop > 0 ? "dropped" : wait > 0 ? "busy" : "taken" };
}

/** A finished attempt, as recorded (the excerpt is already cut to size). */
type AttemptRecord = {
  id: string;
  deliveryId: string;
  endpointId: string;
  eventId: string;
  attempt: number;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  responseExcerpt: string | null;
  createdAt: number;
};

const insertAttempt = change((b) =>
  b.insert(attempts).select(
    valuesWhere(
      attempts,
      {
        id: param("attemptId"),
        deliveryId: param("deliveryId"),
        endpointId: param("endpointId"),
        eventId: param("eventId"),
        attempt: param("attempt"),
        statusCode: param("statusCode"),
        durationMs: param("durationMs"),
        error: param("error"),
        responseExcerpt: param("responseExcerpt"),
        createdAt: param("attemptedAt"),
      },
      // Only for a delivery of this tenant.
      sql`EXISTS (SELECT 1 FROM ${deliveries} WHERE ${deliveries.id} = ${param("deliveryId")} AND ${inTenant(deliveries, tenantParams)})`,
    ),
  ),
);

/** The attempt's own delivery, whatever attempt number it is on now; its in-flight slot is freed. */
const settle = change((b) =>
  b
    .update(deliveries)
    .set({
      status: param("status"),
      nextAttemptAt: param("nextAttemptAt"),
      completedAt: param("completedAt"),
      sendingUntil: sql`NULL`,
    })
    .where(and(thisDelivery, eq(deliveries.attempts, param("attempt")))),
);

const successBatch = defineWrite({
  attempt: insertAttempt,
  delivery: settle,
  healthy: change((b) =>
    b
      .update(endpoints)
      .set({ failingSince: sql`NULL`, failedAttempts: sql`0` })
      .where(thisEndpoint),
  ),
});

/** This failure continues the endpoint's streak: its previous failure is recent enough. */
const streakGoesOn = sql`${endpoints.lastFailedAt} >= ${param("attemptedAt")} - ${param("streakGap")}`;

/**
 * A failure starts (or continues) the endpoint's run of failures; one more
 * than STREAK_GAP_MS after the previous failure starts a new run. A run that
 * has lasted DEACTIVATE_AFTER_MS (checked before this failure is counted)
 * and has, with this one, `minFailures` failures in a row deactivates it;
 * `deactivated` says whether this attempt switched it off.
 */
const failureBatch = defineWrite({
  attempt: insertAttempt,
  delivery: settle,
  deactivated: change((b) =>
    b
      .update(endpoints)
      .set({ isActive: false, updatedAt: param("attemptedAt") })
      .where(
        and(
          thisEndpoint,
          eq(endpoints.isActive, true),
          streakGoesOn,
          sql`${endpoints.failingSince} <= ${param("failingBefore")}`,
          sql`${endpoints.failedAttempts} + 1 >= ${param("minFailures")}`,
        ),
      ),
  ),
  failing: change((b) =>
    b
      .update(endpoints)
      .set({
        failingSince: sql`CASE WHEN ${streakGoesOn} THEN COALESCE(${endpoints.failingSince}, ${param("attemptedAt")}) ELSE ${param("attemptedAt")} END`,
        failedAttempts: sql`CASE WHEN ${streakGoesOn} THEN ${endpoints.failedAttempts} + 1 ELSE 1 END`,
        lastFailedAt: param("attemptedAt"),
      })
      .where(thisEndpoint),
  ),
});

/** A request we could not even make says nothing about the endpoint. */
const notSentBatch = defineWrite({ attempt: insertAttempt, delivery: settle });

/** What becomes of the delivery after the attempt. */
export type Settlement =
  | { status: "succeeded"; completedAt: number }
  | { status: "failed"; completedAt: number }
  | { status: "pending"; nextAttemptAt: number };

/**
 * Records the attempt and settles its delivery, and (unless the failure was
 * ours) the endpoint's health; says whether this attempt deactivated it.
 */
export async function recordAttempt(
  db: Db,
  tenant: Tenant,
  record: AttemptRecord,
  settlement: Settlement,
  health: { failingBefore: number; countsAgainstEndpoint: boolean },
): Promise<{ deactivated: boolean }> {
  const values = {
    ...tenant,
    attemptId: record.id,
    deliveryId: record.deliveryId,
    endpointId: record.endpointId,
    eventId: record.eventId,
    attempt: record.attempt,
    statusCode: record.statusCode,
    durationMs: record.durationMs,
    error: record.error,
    responseExcerpt: record.responseExcerpt,
    attemptedAt: record.createdAt,
    status: settlement.status,
    nextAttemptAt: settlement.status === "pending" ? settlement.nextAttemptAt : null,
    completedAt: settlement.status === "pending" ? null : settlement.completedAt,
    failingBefore: health.failingBefore,
    minFailures: DEACTIVATE_AFTER_FAILURES,
    streakGap: STREAK_GAP_MS,
  };
  if (!health.countsAgainstEndpoint) {
    await db.write(notSentBatch, values);
    return { deactivated: false };
  }
  if (settlement.status === "succeeded") {
    await db.write(successBatch, values);
    return { deactivated: false };
  }
  const { deactivated } = await db.write(failureBatch, values);
  return { deactivated: deactivated > 0 };
}

const dropBatch = defineWrite({ drop: failUnsent(thisDelivery) });

/** Fails a pending delivery without sending it (its endpoint or event is gone or inactive). */
export async function dropDelivery(db: Db, tenant: Tenant, deliveryId: string, now: number) {
  await db.write(dropBatch, { ...tenant, deliveryId, now });
}

const endpointInTenant = sql`EXISTS (SELECT 1 FROM ${endpoints} WHERE ${thisEndpoint})`;

/**
 * A test send's event (already dispatched: nothing fans it out) and its
 * delivery, on its first attempt and due again only when its lease ends,
 * recorded only while the endpoint exists; the delivery takes one of
 * the endpoint's in-flight slots if one is free (`slot` says whether).
 */
const testSendBatch = defineWrite(
  {
    event: change((b) =>
      b.insert(events).select(
        valuesWhere(
          events,
          {
            id: param("eventId"),
            orgId: tenantParams.orgId,
            mode: tenantParams.mode,
            type: param("type"),
            data: param("data"),
            createdAt: param("now"),
            dispatchedAt: param("now"),
          },
          endpointInTenant,
        ),
      ),
    ),
    delivery: change((b) =>
      b.insert(deliveries).select(
        valuesWhere(
          deliveries,
          {
            id: param("deliveryId"),
            eventId: param("eventId"),
            endpointId: param("endpointId"),
            orgId: tenantParams.orgId,
            mode: tenantParams.mode,
            status: sql`'pending'`,
            attempts: sql`1`,
            // Settled by the test send itself; should its worker die first,
            // the sweep finds it overdue and the consumer ends it failed.
            nextAttemptAt: param("leaseUntil"),
            createdAt: param("now"),
            sendingUntil: sql`CASE WHEN ${slotFree} THEN ${param("leaseUntil")} END`,
          },
          endpointInTenant,
        ),
      ),
    ),
    slot: select({ sendingUntil: deliveries.sendingUntil }, (from) =>
      from().from(deliveries).where(thisDelivery),
    ),
  },
  { precondition: () => endpointInTenant },
);

/** Whether the test send was recorded (the endpoint still exists), and whether it holds a slot. */
export async function insertTestSend(
  db: Db,
  tenant: Tenant,
  ids: { eventId: string; deliveryId: string; endpointId: string },
  event: { type: string; data: string },
  now: number,
  leaseUntil: number,
): Promise<{ recorded: boolean; slot: boolean }> {
  const { event: inserted, slot } = await db.write(
    testSendBatch,
    { ...tenant, ...ids, ...event, now, leaseUntil, maxInFlight: ENDPOINT_MAX_IN_FLIGHT },
    { resourceId: ids.deliveryId },
  );
  return { recorded: inserted > 0, slot: slot[0]?.sendingUntil != null };
}

const testSlotBatch = defineWrite({
  slot: change((b) =>
    b
      .update(deliveries)
      .set({ sendingUntil: param("leaseUntil") })
      .where(and(thisDelivery, isNull(deliveries.sendingUntil), slotFree)),
  ),
});

/** Takes a slot for a recorded test send that had none; false while the endpoint's slots are all taken. */
export async function takeTestSendSlot(
  db: Db,
  tenant: Tenant,
  ids: { deliveryId: string; endpointId: string },
  leaseUntil: number,
): Promise<boolean> {
  const { slot } = await db.write(testSlotBatch, {
    ...tenant,
    ...ids,
    leaseUntil,
    maxInFlight: ENDPOINT_MAX_IN_FLIGHT,
    now: Date.now(),
  });
  return slot > 0;
}

const olderThan = (table: typeof events | typeof deliveries | typeof attempts) =>
  change((b) =>
    b
      .delete(table)
      .where(
        sql`rowid IN (SELECT rowid FROM ${table} WHERE ${table.createdAt} < ${param("cutoff")} LIMIT ${param("chunk")})`,
      ),
  );

const purgeBatch = defineWrite({
  attempts: olderThan(attempts),
  deliveries: olderThan(deliveries),
  events: olderThan(events),
});

/** Deletes up to `chunk` rows of each webhook table created before `cutoff`. */
export async function deleteOldChunk(db: Db, cutoff: number, chunk: number) {
  return db.write(purgeBatch, { cutoff, chunk });
}
