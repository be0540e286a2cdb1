import { and, eq, getTableColumns, gt, isNull, lt, lte, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/database";
import { apiKeys } from "../db/schema";
import { readState, writeState } from "../db/service-state";
import { inTenant } from "../db/sql";
import { change, defineRead, defineWrite, param, tenantParams } from "../db/statements";
import type { KeyRecord } from "../lib/api-keys";
import type { Tenant } from "../tenant";

/**
 * The reconciliation's KV scan position (service_state). Renamed when the
 * scan moved from the records to the id entries: a position in the old walk
 * means nothing in the new one.
 */
const POSITION = "api_key_reconciliation.id_cursor";

/** The position the last run stored (JSON), or null. */
export const readScanPosition = (db: Db) => readState(db, POSITION);

export const saveScanPosition = (db: Db, value: string, now: number) =>
  writeState(db, POSITION, value, now);

// Through the id index, so it stops at the first row instead of scanning.
const oneListing = defineRead({ id: apiKeys.id }, (from) =>
  from().from(apiKeys).where(gt(apiKeys.id, "")).limit(1),
);

/** Whether the listing holds any key at all (none while KV holds keys: the wrong database). */
export async function anyListed(db: Db): Promise<boolean> {
  return (await db.read(oneListing, {})).length > 0;
}

const listingsBatch = defineRead({ id: apiKeys.id, revokedAt: apiKeys.revokedAt }, (from) =>
  from()
    .from(apiKeys)
    .where(sql`${apiKeys.id} IN (SELECT value FROM json_each(${param("ids")}))`),
);

/** Which of these keys are listed; `revoked`: a delete of it has started. */
export async function listingsOf(
  db: Db,
  ids: readonly string[],
): Promise<Map<string, { revoked: boolean }>> {
  if (ids.length === 0) return new Map();
  const rows = await db.read(listingsBatch, { ids: JSON.stringify(ids) });
  return new Map(rows.map((r) => [r.id, { revoked: r.revokedAt !== null }]));
}

/** A listing row from each record, by its field in the JSON array `rows`. */
const fromRecord: Partial<Record<keyof typeof apiKeys.$inferInsert, string>> = {
  id: "$.id",
  orgId: "$.orgId",
  mode: "$.mode",
  name: "$.name",
  prefix: "$.prefix",
  tier: "$.tier",
  kvKey: "$.kvKey",
  createdAt: "$.createdAt",
  expiresAt: "$.expiresAt",
  createdBy: "$.createdBy",
};
const relistColumns = Object.keys(getTableColumns(apiKeys)).map((key) => {
  const path = fromRecord[key as keyof typeof fromRecord];
  return path ? sql`json_extract(r.value, ${path})` : sql`NULL`;
});

const maker = alias(apiKeys, "maker");
/**
 * A row whose maker was listed when its lineage was checked is listed only if
 * that maker still is, in its tenant, with no delete started: a delete that
 * started since never saw this key in its lineage.
 */
const makerStillListed = sql`(NOT json_extract(r.value, '$.makerListed') OR EXISTS (SELECT 1 FROM ${apiKeys} AS ${maker} WHERE ${maker.id} = json_extract(r.value, '$.createdBy') AND ${maker.orgId} = json_extract(r.value, '$.orgId') AND ${maker.mode} = json_extract(r.value, '$.mode') AND ${maker.revokedAt} IS NULL))`;

const relistBatch = defineWrite({
  insert: change((b) =>
    b
      .insert(apiKeys)
      .select(
        // A WHERE is needed anyway: SQLite would read ON CONFLICT as a join's ON otherwise.
        sql`SELECT ${sql.join(relistColumns, sql`, `)} FROM json_each(${param("rows")}) AS r WHERE ${makerStillListed}`,
      )
      .onConflictDoNothing(),
  ),
});

/**
 * A key's listing from its KV record. The key itself was never stored, so the
 * prefix is only the mode's.
 */
export function listingOf(kvKey: string, record: KeyRecord) {
  return {
    id: record.id,
    orgId: record.orgId,
    mode: record.mode,
    name: record.name,
    prefix: `ck_${record.mode}_`,
    tier: record.tier,
    kvKey,
    createdAt: Date.parse(record.createdAt),
    expiresAt: record.expiresAt === null ? null : Date.parse(record.expiresAt),
    createdBy: record.createdBy ?? null,
  };
}

/**
 * Lists again keys whose id entry is marked listed but whose listing is gone
 * (a restore, a wrong database), from their records, once their lineage was
 * checked (src/api-keys/lineage.ts). `listedMakers`: the makers that check
 * found listed; they must still be (see `makerStillListed`). Returns how many
 * were listed.
 */
export async function relist(
  db: Db,
  keys: { kvKey: string; record: KeyRecord }[],
  listedMakers: ReadonlySet<string>,
) {
  const rows = keys.map(({ kvKey, record }) => ({
    ...listingOf(kvKey, record),
    makerListed: typeof record.createdBy === "string" && listedMakers.has(record.createdBy),
  }));
  const { insert } = await db.write(relistBatch, { rows: JSON.stringify(rows) });
  return insert;
}

const above = alias(apiKeys, "above");

/**
 * The listings of keys `ids` and of every key above them, maker after maker
 * (UNION: a cycle in bad data still ends), in any organization and mode: the
 * caller compares. A maker that is not listed ends its branch.
 */
const makersBatch = defineRead(
  {
    id: apiKeys.id,
    orgId: apiKeys.orgId,
    mode: apiKeys.mode,
    createdBy: apiKeys.createdBy,
    revokedAt: apiKeys.revokedAt,
  },
  (from) =>
    from()
      .from(apiKeys)
      .where(
        sql`${apiKeys.id} IN (WITH RECURSIVE up(id) AS (SELECT value FROM json_each(${param("ids")}) UNION SELECT ${above.createdBy} FROM ${apiKeys} AS ${above} JOIN up ON ${above.id} = up.id WHERE ${above.createdBy} IS NOT NULL) SELECT id FROM up)`,
      ),
);

/** The listings of these keys and of their makers, all the way up (see `makersBatch`). */
export async function listedLineages(db: Db, ids: readonly string[]) {
  if (ids.length === 0) return [];
  return db.read(makersBatch, { ids: JSON.stringify(ids) });
}

const orphanBatch = defineRead(
  { id: apiKeys.id, orgId: apiKeys.orgId, mode: apiKeys.mode, kvKey: apiKeys.kvKey },
  (from) =>
    from()
      .from(apiKeys)
      .where(
        and(
          gt(apiKeys.id, param("after")),
          lte(apiKeys.id, param("until")),
          sql`${apiKeys.id} NOT IN (SELECT value FROM json_each(${param("seen")}))`,
          isNull(apiKeys.revokedAt),
          lt(apiKeys.createdAt, param("before")),
        ),
      )
      .limit(sql.placeholder("limit")),
);

/**
 * Listings with ids in (`after`, `until`] whose id entry a KV list page
 * covering that range did not show (`seen`, ids): their KV record may be
 * gone. Only listings made before `before` (KV lists lag behind writes), at
 * most `limit`.
 */
export function listingsMissingFrom(
  db: Db,
  page: { after: string; until: string; seen: readonly string[] },
  before: number,
  limit: number,
) {
  return db.read(orphanBatch, { ...page, seen: JSON.stringify(page.seen), before, limit });
}

const removeOrphanBatch = defineWrite({
  remove: change((b) =>
    b
      .delete(apiKeys)
      .where(
        and(
          eq(apiKeys.id, param("id")),
          inTenant(apiKeys, tenantParams),
          eq(apiKeys.kvKey, param("kvKey")),
        ),
      ),
  ),
});

/** Removes the listing of a key whose KV record is gone (it authenticates nothing). */
export async function removeOrphanListing(db: Db, tenant: Tenant, id: string, kvKey: string) {
  await db.write(removeOrphanBatch, { ...tenant, id, kvKey });
}
