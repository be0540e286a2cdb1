import { and, desc, eq, gte, lt, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/database";
import { attempts, deliveries, events } from "../db/history-schema";
import { webhookEvents as outbox } from "../db/schema";
import { inTenant } from "../db/sql";
import { defineRead, param, tenantParams } from "../db/statements";
import { ID_SKEW_MS, idFloor } from "../lib/ids";
import type { Tenant } from "../tenant";
import { EVENT_TYPES } from "../webhooks/events";
import { WEBHOOK_RETENTION_MS } from "../webhooks/purge";
import type { StoredEvent } from "./present";

/** What a list of events is narrowed to; the time bounds are epoch ms. */
type EventFilter = {
  /** Types to show; never `webhook.test` (test sends are not changes). */
  types: readonly string[];
  objectId: string | null;
  /** `created_at >= since` (the 30-day bound included). */
  since: number;
  /** `created_at < until`, or no bound. */
  until: number | null;
  /** true: only events with a failed delivery; false: only those without; null: all. */
  deliveryFailed: boolean | null;
};

type Source = typeof events | typeof outbox;

const columnsOf = (t: Source) => ({
  id: t.id,
  orgId: t.orgId,
  mode: t.mode,
  type: t.type,
  data: t.data,
  previous: t.previous,
  requestId: t.requestId,
  idempotencyKey: t.idempotencyKey,
  createdAt: t.createdAt,
});

const types = sql`(SELECT value FROM json_each(${param("types")}))`;

/** The tenant, the type list and the retention window: what every read of events checks. */
const visible = (t: Source) =>
  and(
    inTenant(t, tenantParams),
    sql`${t.type} IN ${types}`,
    gte(t.createdAt, param("since")),
  ) as SQL;

/**
 * A page of `t`, newest first. The time range is also an ID range (IDs sort
 * by time), so the read walks the tenant's (org_id, mode, id) index, or the
 * object's, and never the whole table.
 */
const pageOf = (t: Source, filter: SQL) =>
  defineRead(columnsOf(t), (from) =>
    from()
      .from(t)
      .where(
        and(
          visible(t),
          gte(t.id, param("lower")),
          lt(t.id, param("upper")),
          lt(t.createdAt, param("until")),
          filter,
        ),
      )
      .orderBy(desc(t.id))
      .limit(sql.placeholder("limit")),
  );

/**
 * A delivery of the event whose latest attempt failed: given up (`failed`),
 * retries pending, or dropped after failing (its endpoint was deactivated
 * for failing) — a `pending` or `dropped` one whose latest recorded attempt
 * was not a 2xx. A pending delivery whose attempt counter moved but whose
 * attempt is not recorded yet is in flight, not failed.
 */
const failedDelivery = sql`EXISTS (SELECT 1 FROM ${deliveries} WHERE ${deliveries.eventId} = ${events.id} AND ${inTenant(deliveries, tenantParams)} AND (${deliveries.status} = 'failed' OR (${deliveries.status} IN ('pending', 'dropped') AND ${deliveries.attempts} > 0 AND (SELECT coalesce(${attempts.statusCode} BETWEEN 200 AND 299, 0) FROM ${attempts} WHERE ${attempts.deliveryId} = ${deliveries.id} ORDER BY ${attempts.attempt} DESC LIMIT 1) = 0)))`;

const byFailure = sql`(${param("failed")} IS NULL OR ${failedDelivery} = ${param("failed")})`;
// An outbox event not handed on yet has no delivery; one handed on is read from history.
const byDispatch = sql`(${param("undispatchedOnly")} = 0 OR ${outbox.dispatchedAt} IS NULL)`;

const historyPage = pageOf(events, byFailure);
const historyPageOfObject = pageOf(
  events,
  and(eq(events.objectId, param("objectId")), byFailure) as SQL,
);
const outboxPage = pageOf(outbox, byDispatch);
const outboxPageOfObject = pageOf(
  outbox,
  and(sql`json_extract(${outbox.data}, '$.id') = ${param("objectId")}`, byDispatch) as SQL,
);

const newestFirst = (a: { id: string }, b: { id: string }) => (a.id < b.id ? 1 : -1);

/**
 * Both copies of an event, deduplicated, newest first: an event is in the
 * catalog's outbox from its write until a few minutes after its hand-off,
 * and in history from the hand-off on, so for a while it is in both.
 */
function merge(history: StoredEvent[], outboxRows: StoredEvent[], limit: number) {
  const byId = new Map<string, StoredEvent>();
  for (const row of [...history, ...outboxRows]) if (!byId.has(row.id)) byId.set(row.id, row);
  return [...byId.values()].sort(newestFirst).slice(0, limit);
}

/**
 * A page of a tenant's events, newest first, after the cursor's ID: one
 * round trip to each database, at once. Each side returns `limit` rows, so
 * the merge holds the first `limit` of their union. Events with a failed
 * delivery are all in history: that filter skips the outbox.
 */
export async function listEvents(
  stores: { catalog: Db; history: Db },
  tenant: Tenant,
  filter: EventFilter,
  page: { after: string | null; limit: number },
): Promise<StoredEvent[]> {
  const untilBound = idFloor(
    "whev",
    filter.until === null ? Number.POSITIVE_INFINITY : filter.until + ID_SKEW_MS,
  );
  const values = {
    ...tenant,
    types: JSON.stringify(filter.types),
    since: filter.since,
    until: filter.until ?? Number.MAX_SAFE_INTEGER,
    lower: idFloor("whev", filter.since - ID_SKEW_MS),
    upper: page.after !== null && page.after < untilBound ? page.after : untilBound,
    objectId: filter.objectId,
    limit: page.limit,
  };
  const byObject = filter.objectId !== null;
  const failed = filter.deliveryFailed === null ? null : filter.deliveryFailed ? 1 : 0;
  const [history, recent] = await Promise.all([
    stores.history.read(byObject ? historyPageOfObject : historyPage, { ...values, failed }),
    filter.deliveryFailed === true
      ? Promise.resolve([])
      : stores.catalog.read(byObject ? outboxPageOfObject : outboxPage, {
          ...values,
          undispatchedOnly: filter.deliveryFailed === false ? 1 : 0,
        }),
  ]);
  return merge(history, recent, page.limit);
}

const historyById = defineRead(columnsOf(events), (from) =>
  from()
    .from(events)
    .where(and(eq(events.id, param("id")), visible(events))),
);
const outboxById = defineRead(columnsOf(outbox), (from) =>
  from()
    .from(outbox)
    .where(and(eq(outbox.id, param("id")), visible(outbox))),
);

/**
 * One change event of the tenant from the last 30 days (never a test send),
 * from whichever database holds it: one round trip to each, at once.
 */
export async function findEvent(
  stores: { catalog: Db; history: Db },
  tenant: Tenant,
  id: string,
  now: number,
): Promise<StoredEvent | null> {
  const since = now - WEBHOOK_RETENTION_MS;
  const values = { ...tenant, id, types: JSON.stringify(EVENT_TYPES), since };
  const [history, recent] = await Promise.all([
    stores.history.read(historyById, values),
    stores.catalog.read(outboxById, values),
  ]);
  return history[0] ?? recent[0] ?? null;
}
