import { and, eq, isNull, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/database";
import { attempts, deliveries, events } from "../db/history-schema";
import { inTenant, valuesWhere } from "../db/sql";
import { change, defineRead, defineWrite, param, select, tenantParams } from "../db/statements";
import type { StoredEvent } from "../events/present";
import type { Tenant } from "../tenant";
import { ENDPOINT_MAX_IN_FLIGHT } from "../webhooks/schedule";

/**
 * The delivery store (history database): what the pipeline reads and writes
 * of deliveries and attempts. Background work starts from an internal ID (a
 * queue message's delivery), which is how it learns the tenant; every
 * statement after that carries the tenant's predicate.
 */

/** A delivery with what attempting it needs; `event` is null once purged. */
type DeliveryJob = {
  id: string;
  orgId: string;
  mode: "live" | "test";
  endpointId: string;
  status: "pending" | "succeeded" | "failed" | "dropped";
  attempts: number;
  /** Attempts recorded: fewer than `attempts` while one is claimed and not recorded. */
  recorded: number;
  nextAttemptAt: number | null;
  /** Where its retry window starts: its creation, or the recover that queued it again. */
  windowStart: number;
  event: StoredEvent | null;
};

const jobById = defineRead(
  {
    id: deliveries.id,
    orgId: deliveries.orgId,
    mode: deliveries.mode,
    endpointId: deliveries.endpointId,
    status: deliveries.status,
    attempts: deliveries.attempts,
    recorded: sql<number>`(SELECT count(*) FROM ${attempts} WHERE ${attempts.deliveryId} = ${deliveries.id})`,
    nextAttemptAt: deliveries.nextAttemptAt,
    windowStart: sql<number>`COALESCE(${deliveries.recoveredAt}, ${deliveries.createdAt})`,
    eventId: events.id,
    type: events.type,
    data: events.data,
    previous: events.previous,
    requestId: events.requestId,
    idempotencyKey: events.idempotencyKey,
    eventCreatedAt: events.createdAt,
  },
  (from) =>
    from()
      .from(deliveries)
      .leftJoin(
        events,
        sql`${events.id} = ${deliveries.eventId} AND ${events.orgId} = ${deliveries.orgId} AND ${events.mode} = ${deliveries.mode}`,
      )
      .where(eq(deliveries.id, param("deliveryId"))),
);

export async function findDeliveryJob(store: Db, deliveryId: string): Promise<DeliveryJob | null> {
  const [row] = await store.read(jobById, { deliveryId });
  if (!row) return null;
  const { eventId, type, eventCreatedAt } = row;
  return {
    id: row.id,
    orgId: row.orgId,
    mode: row.mode,
    endpointId: row.endpointId,
    status: row.status,
    attempts: row.attempts,
    recorded: row.recorded,
    nextAttemptAt: row.nextAttemptAt,
    windowStart: row.windowStart,
    event:
      eventId && type && eventCreatedAt !== null
        ? {
            id: eventId,
            orgId: row.orgId,
            mode: row.mode,
            type,
            data: row.data,
            previous: row.previous,
            requestId: row.requestId,
            idempotencyKey: row.idempotencyKey,
            createdAt: eventCreatedAt,
          }
        : null,
  };
}

const thisDelivery = and(
  eq(deliveries.id, param("deliveryId")),
  inTenant(deliveries, tenantParams),
  eq(deliveries.status, "pending"),
) as SQL;

const sending = alias(deliveries, "sending");

/**
 * A POST to the endpoint may start: fewer than `maxInFlight` of its
 * deliveries hold an in-flight slot (`sending_until` not yet passed). A slot
 * is freed when its attempt is recorded, or when its lease ends (the worker
 * died mid-POST).
 */
const slotFree = sql`(SELECT count(*) FROM ${deliveries} AS ${sending} WHERE ${sending.endpointId} = ${param("endpointId")} AND ${inTenant(sending, tenantParams)} AND ${sending.sendingUntil} > ${param("now")}) < ${param("maxInFlight")}`;

const claimable = and(thisDelivery, eq(deliveries.attempts, param("attempts")));

/**
 * Takes attempt number `attempts + 1` of a pending delivery, only if nobody
 * took it since `attempts` was read (two copies of a message never send one
 * attempt twice) and one of the endpoint's in-flight slots is free; until
 * `leaseUntil` the delivery holds that slot and is not due again. One that
 * found every slot taken is not attempted: its `next_attempt_at` moves to
 * now, when its message goes back to the queue for a few seconds (the sweep
 * counts a message sent then as still queued until a mark well after it).
 * Whether the endpoint is still active was read from the catalog just before.
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
});

/**
 * `claimed`: this invocation makes the attempt; `taken`: another copy of the
 * message took it (or it is no longer pending); `busy`: the endpoint's
 * in-flight slots were all taken (nothing was counted).
 */
type Claim = "claimed" | "taken" | "busy";

export async function claimAttempt(
  store: Db,
  tenant: Tenant,
  claim: { deliveryId: string; endpointId: string; attemptsSeen: number; leaseUntil: number },
): Promise<Claim> {
  const result = await store.write(claimBatch, {
    ...tenant,
    deliveryId: claim.deliveryId,
    endpointId: claim.endpointId,
    attempts: claim.attemptsSeen,
    leaseUntil: claim.leaseUntil,
    maxInFlight: ENDPOINT_MAX_IN_FLIGHT,
    now: Date.now(),
  });
  return result.claim > 0 ? "claimed" : result.wait > 0 ? "busy" : "taken";
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

/** What becomes of the delivery after the attempt. */
export type Settlement =
  | { status: "succeeded"; completedAt: number }
  | { status: "failed"; completedAt: number }
  | { status: "pending"; nextAttemptAt: number };

const recordBatch = defineWrite({
  attempt: change((b) =>
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
  ),
  // The attempt's own delivery, whatever attempt number it is on now; its in-flight slot is freed.
  delivery: change((b) =>
    b
      .update(deliveries)
      .set({
        status: param("status"),
        nextAttemptAt: param("nextAttemptAt"),
        completedAt: param("completedAt"),
        sendingUntil: sql`NULL`,
      })
      .where(and(thisDelivery, eq(deliveries.attempts, param("attempt")))),
  ),
});

/** Records the attempt and settles its delivery. */
export async function recordAttempt(
  store: Db,
  tenant: Tenant,
  record: AttemptRecord,
  settlement: Settlement,
): Promise<void> {
  await store.write(recordBatch, {
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
  });
}

const endBatch = defineWrite({
  end: change((b) =>
    b
      .update(deliveries)
      .set({
        // A claim taken for an attempt never made is given back.
        attempts: sql`${deliveries.attempts} - ${param("unclaim")}`,
        status: param("status"),
        nextAttemptAt: sql`NULL`,
        completedAt: param("now"),
        sendingUntil: sql`NULL`,
      })
      .where(thisDelivery),
  ),
});

/**
 * Ends a pending delivery without another attempt: `dropped` (its endpoint
 * is gone, inactive or unsubscribed, or its event purged) or `failed` (a
 * test send whose worker died). `claimed`: this invocation had claimed the
 * attempt it now does not make.
 */
export async function endDelivery(
  store: Db,
  tenant: Tenant,
  deliveryId: string,
  end: { status: "dropped" | "failed"; now: number; claimed?: boolean },
): Promise<void> {
  await store.write(endBatch, {
    ...tenant,
    deliveryId,
    status: end.status,
    now: end.now,
    unclaim: end.claimed ? 1 : 0,
  });
}

/**
 * A test send's event and its delivery, on its first attempt and due again
 * only when its lease ends; the delivery takes one of the endpoint's
 * in-flight slots if one is free (`slot` says whether).
 */
const testSendBatch = defineWrite({
  event: change((b) =>
    b.insert(events).values({
      id: param("eventId"),
      orgId: tenantParams.orgId,
      mode: tenantParams.mode,
      type: param("type"),
      data: param("data"),
      createdAt: param("now"),
    }),
  ),
  delivery: change((b) =>
    b.insert(deliveries).values({
      id: param("deliveryId"),
      eventId: param("eventId"),
      endpointId: param("endpointId"),
      orgId: tenantParams.orgId,
      mode: tenantParams.mode,
      type: param("type"),
      status: sql`'pending'`,
      attempts: sql`1`,
      // Settled by the test send itself; should its worker die first,
      // the sweep finds it overdue and the consumer ends it failed.
      nextAttemptAt: param("leaseUntil"),
      createdAt: param("now"),
      sendingUntil: sql`CASE WHEN ${slotFree} THEN ${param("leaseUntil")} END`,
    }),
  ),
  slot: select({ sendingUntil: deliveries.sendingUntil }, (from) =>
    from().from(deliveries).where(thisDelivery),
  ),
});

/** Records a test send; says whether it holds one of the endpoint's slots. */
export async function insertTestSend(
  store: Db,
  tenant: Tenant,
  ids: { eventId: string; deliveryId: string; endpointId: string },
  event: { type: string; data: string },
  now: number,
  leaseUntil: number,
): Promise<{ slot: boolean }> {
  const { slot } = await store.write(testSendBatch, {
    ...tenant,
    ...ids,
    ...event,
    now,
    leaseUntil,
    maxInFlight: ENDPOINT_MAX_IN_FLIGHT,
  });
  return { slot: slot[0]?.sendingUntil != null };
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
  store: Db,
  tenant: Tenant,
  ids: { deliveryId: string; endpointId: string },
  leaseUntil: number,
): Promise<boolean> {
  const { slot } = await store.write(testSlotBatch, {
    ...tenant,
    ...ids,
    leaseUntil,
    maxInFlight: ENDPOINT_MAX_IN_FLIGHT,
    now: Date.now(),
  });
  return slot > 0;
}
