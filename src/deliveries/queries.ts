import { and, asc, desc, eq, lt, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/database";
import { attempts, type DeliveryStatus, deliveries, events } from "../db/history-schema";
import { inTenant } from "../db/sql";
import { change, defineRead, defineWrite, param, select, tenantParams } from "../db/statements";
import { ID_SKEW_MS } from "../lib/ids";
import type { Tenant } from "../tenant";
import type { AttemptLogRecord, DeliveryLogRecord } from "./record";

/**
 * The deliveries API's reads and writes of the history database. Every
 * statement names the endpoint and the tenant: a delivery of another
 * endpoint, organization or mode is not found.
 */

/** Attempts a delivery list shows per delivery (a single delivery shows all). */
export const LISTED_ATTEMPTS = 5;

/**
 * A delivery's attempts as one JSON array, from attempts_delivery_idx: the
 * last `limit` (by attempt number), or all. SQLite does not promise the
 * order of json_group_array over a subquery, so each entry carries its
 * number and the reader sorts.
 */
const attemptsJson = (limit: number | null) => {
  const last = limit === null ? sql`` : sql` LIMIT ${sql.raw(String(limit))}`;
  return sql<string>`(SELECT json_group_array(json_object('n', n, 'at', at, 'status', status, 'ms', ms, 'error', error, 'excerpt', excerpt)) FROM (SELECT ${attempts.attempt} AS n, ${attempts.createdAt} AS at, ${attempts.statusCode} AS status, ${attempts.durationMs} AS ms, ${attempts.error} AS error, ${attempts.responseExcerpt} AS excerpt FROM ${attempts} WHERE ${attempts.deliveryId} = ${deliveries.id} ORDER BY ${attempts.attempt} DESC${last}))`;
};

const columns = (attemptLimit: number | null) => ({
  id: deliveries.id,
  endpointId: deliveries.endpointId,
  eventId: deliveries.eventId,
  type: deliveries.type,
  status: deliveries.status,
  attemptCount: deliveries.attempts,
  nextAttemptAt: deliveries.nextAttemptAt,
  createdAt: deliveries.createdAt,
  completedAt: deliveries.completedAt,
  attempts: attemptsJson(attemptLimit),
});

type Row = Omit<DeliveryLogRecord, "attempts"> & { attempts: string };
type AttemptJson = {
  n: number;
  at: number;
  status: number | null;
  ms: number;
  error: string | null;
  excerpt: string | null;
};

/** A row as the API presents it: attempts oldest first. */
function toRecord(row: Row): DeliveryLogRecord {
  const list = (JSON.parse(row.attempts) as AttemptJson[]).sort((a, b) => a.n - b.n);
  const logged: AttemptLogRecord[] = list.map((a) => ({
    at: a.at,
    statusCode: a.status,
    durationMs: a.ms,
    error: a.error,
    responseExcerpt: a.excerpt,
  }));
  return { ...row, attempts: logged };
}

const ofEndpoint = and(
  eq(deliveries.endpointId, param("endpointId")),
  inTenant(deliveries, tenantParams),
) as SQL;
const thisDelivery = and(eq(deliveries.id, param("deliveryId")), ofEndpoint) as SQL;

// Filters that are not sent bind NULL; the index still serves endpoint, tenant and order.
const filtered = sql`(${param("status")} IS NULL OR ${deliveries.status} = ${param("status")}) AND (${param("type")} IS NULL OR ${deliveries.type} = ${param("type")})`;

const page = (afterCursor: boolean) =>
  defineRead(columns(LISTED_ATTEMPTS), (from) =>
    from()
      .from(deliveries)
      .where(and(ofEndpoint, filtered, afterCursor ? lt(deliveries.id, param("after")) : undefined))
      .orderBy(desc(deliveries.id))
      .limit(sql.placeholder("limit")),
  );
const firstPage = page(false);
const nextPage = page(true);

type DeliveryFilter = { status: DeliveryStatus | null; type: string | null };

/** The endpoint's deliveries, newest first, a page at a time, each with its last attempts. */
export async function listDeliveries(
  store: Db,
  tenant: Tenant,
  endpointId: string,
  filter: DeliveryFilter,
  p: { after: string | null; limit: number },
): Promise<DeliveryLogRecord[]> {
  const values = { ...tenant, endpointId, ...filter, limit: p.limit };
  const rows = p.after
    ? await store.read(nextPage, { ...values, after: p.after })
    : await store.read(firstPage, values);
  return rows.map(toRecord);
}

const byId = defineRead(columns(null), (from) => from().from(deliveries).where(thisDelivery));

/** One delivery of the endpoint with every attempt, or null. */
export async function findDelivery(
  store: Db,
  tenant: Tenant,
  endpointId: string,
  deliveryId: string,
): Promise<DeliveryLogRecord | null> {
  const [row] = await store.read(byId, { ...tenant, endpointId, deliveryId });
  return row ? toRecord(row) : null;
}

/**
 * Makes the delivery pending and due now, whatever its status: the consumer
 * attempts it again with the same event (its attempts keep counting).
 */
const retryBatch = defineWrite({
  retry: change((b) =>
    b
      .update(deliveries)
      .set({ status: sql`'pending'`, nextAttemptAt: param("now"), completedAt: sql`NULL` })
      .where(thisDelivery),
  ),
  row: select(columns(null), (from) => from().from(deliveries).where(thisDelivery)),
});

/** The delivery as the retry left it, or null if the endpoint has no such delivery. */
export async function retryDelivery(
  store: Db,
  tenant: Tenant,
  endpointId: string,
  deliveryId: string,
  now: number,
): Promise<DeliveryLogRecord | null> {
  const { row } = await store.write(retryBatch, { ...tenant, endpointId, deliveryId, now });
  return row[0] ? toRecord(row[0]) : null;
}

/** Events one recover call queues at most. */
export const RECOVER_LIMIT = 1000;

const delivered = alias(deliveries, "delivered");

const deliveredTo = sql`${delivered.eventId} = ${events.id} AND ${delivered.endpointId} = ${param("endpointId")} AND ${delivered.orgId} = ${events.orgId} AND ${delivered.mode} = ${events.mode}`;

/**
 * An event of the range the endpoint subscribes to and never received: its
 * delivery failed or was dropped and no recover queued it yet, or it has
 * none (the endpoint was inactive then). The ID bounds only let the tenant
 * index seek to the range (IDs carry their creation time); `created_at`
 * decides.
 */
const candidate = sql`${inTenant(events, tenantParams)}
  AND ${events.id} >= ${param("fromId")} AND ${events.id} < ${param("toId")}
  AND ${events.createdAt} >= ${param("since")} AND ${events.createdAt} < ${param("until")}
  AND ${events.type} IN (SELECT value FROM json_each(${param("types")}))
  AND (${delivered.id} IS NULL OR (${delivered.status} IN ('failed', 'dropped') AND ${delivered.recoveredAt} IS NULL))`;

/**
 * One transaction: the oldest RECOVER_LIMIT candidates get a pending
 * delivery due now, marked recovered (a new one, or their failed or dropped
 * one again); then the IDs queued, and the oldest candidate left.
 */
const recoverBatch = defineWrite({
  queue: change((b) =>
    b
      .insert(deliveries)
      .select(
        // Column order of the table; the ID's random tail is SQLite's, after the time part made in JS.
        sql`SELECT ${param("idPrefix")} || lower(hex(randomblob(8))), ${events.id}, ${param("endpointId")},
          ${events.orgId}, ${events.mode}, ${events.type}, 'pending', 0, ${param("now")}, ${param("now")},
          NULL, NULL, ${param("now")}
        FROM ${events} LEFT JOIN ${deliveries} AS ${delivered} ON ${deliveredTo}
        WHERE ${candidate}
        ORDER BY ${events.id}
        LIMIT ${param("limit")}`,
      )
      .onConflictDoUpdate({
        target: [deliveries.eventId, deliveries.endpointId],
        set: {
          status: sql`'pending'`,
          nextAttemptAt: param("now"),
          completedAt: sql`NULL`,
          recoveredAt: param("now"),
        },
        setWhere: sql`${deliveries.status} IN ('failed', 'dropped') AND ${deliveries.recoveredAt} IS NULL`,
      }),
  ),
  // What this batch queued: pending, due and recovered at its own `now`. The
  // status literal lets the planner use deliveries_pending_idx; `+` keeps it
  // from preferring the endpoint's index, which holds all 30 days of it.
  queued: select({ id: deliveries.id }, (from) =>
    from()
      .from(deliveries)
      .where(
        sql`${deliveries.status} = 'pending' AND ${deliveries.nextAttemptAt} = ${param("now")}
          AND ${deliveries.recoveredAt} = ${param("now")} AND +${deliveries.endpointId} = ${param("endpointId")}
          AND ${inTenant(deliveries, tenantParams)}`,
      ),
  ),
  next: select({ createdAt: events.createdAt }, (from) =>
    from()
      .from(events)
      .leftJoin(delivered, deliveredTo)
      .where(candidate)
      .orderBy(asc(events.id))
      .limit(1),
  ),
});

type Recovery = {
  tenant: Tenant;
  endpointId: string;
  /** The known event types the endpoint subscribes to. */
  types: readonly string[];
  since: number;
  until: number;
  /** Bounds of the event IDs that may fall in [since, until). */
  fromId: string;
  toId: string;
  /** The time part of the new deliveries' IDs (`whdl_` + 10 characters). */
  idPrefix: string;
  now: number;
};

/** Queues the range's oldest candidates; returns the delivery IDs queued and the next candidate's time. */
export async function recoverEvents(store: Db, r: Recovery) {
  const { queued, next } = await store.write(recoverBatch, {
    ...r.tenant,
    endpointId: r.endpointId,
    types: JSON.stringify(r.types),
    since: r.since,
    until: r.until,
    fromId: r.fromId,
    toId: r.toId,
    idPrefix: r.idPrefix,
    now: r.now,
    limit: RECOVER_LIMIT,
  });
  // IDs and `created_at` may disagree by a little: continuing a little early
  // never skips a candidate (a repeated recover queues nothing twice).
  const at = next[0]?.createdAt;
  return {
    deliveryIds: queued.map((q) => q.id),
    nextSince: at === undefined ? null : Math.max(r.since, at - ID_SKEW_MS),
  };
}
