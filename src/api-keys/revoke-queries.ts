import { and, isNotNull, lt, type SQL, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/database";
import { apiKeys } from "../db/schema";
import { inTenant } from "../db/sql";
import { change, defineRead, defineWrite, param, select, tenantParams } from "../db/statements";
import type { Tenant } from "../tenant";
import { listingValues } from "./queries";
import type { listingOf } from "./reconcile-queries";

const keyId = param<string>("id");
const inThisTenant = inTenant(apiKeys, tenantParams);
const made = alias(apiKeys, "made");

/**
 * The key `root` and every key of the tenant it made, directly or through
 * them (UNION, not UNION ALL: a cycle in bad data still ends). Each step
 * searches by maker: without statistics SQLite would pick the tenant index
 * (two equality terms) and read all of the tenant's keys at every step.
 */
const lineageOf = (root: SQL) =>
  sql`(WITH RECURSIVE lineage(id) AS (SELECT ${root} UNION SELECT ${made.id} FROM ${apiKeys} AS ${made} INDEXED BY api_keys_created_by_idx JOIN lineage ON ${made.createdBy} = lineage.id WHERE ${inTenant(made, tenantParams)}) SELECT id FROM lineage)`;

/**
 * Whether the caller may delete key `id`: `manager` is null for an operator
 * key (it manages every key of its tenant), else the caller's own id.
 */
const permitted = sql<number>`(${param("manager")} IS NULL OR ${keyId} IN ${lineageOf(param("manager"))})`;
const inDeletedLineage = and(inThisTenant, sql`${apiKeys.id} IN ${lineageOf(keyId)}`, permitted);

/** Marks the key and every key it made revoked (if `permitted`). */
const markLineage = change((b) =>
  b
    .update(apiKeys)
    .set({ revokedAt: sql`coalesce(${apiKeys.revokedAt}, ${param("now")})` })
    .where(inDeletedLineage),
);
/** The KV keys of the key and every key it made (if `permitted`): they go next. */
const lineageKeys = select({ id: apiKeys.id, kvKey: apiKeys.kvKey }, (from) =>
  from().from(apiKeys).where(inDeletedLineage),
);

/**
 * The first step of a delete, before any KV record goes, in one transaction:
 * checks the caller's lineage and marks the key and every key it made (so the
 * scheduled reconciliation finishes a delete that stops half way). The check
 * is inside each statement: nothing is trusted from an earlier read.
 */
const startRevoke = defineWrite({
  mark: markLineage,
  target: select({ permitted }, (from) =>
    from()
      .from(apiKeys)
      .where(and(sql`${apiKeys.id} = ${keyId}`, inThisTenant)),
  ),
  keys: lineageKeys,
});

type Revocation =
  | { outcome: "not_found" }
  | { outcome: "forbidden" }
  /** The key and the keys it made, all marked revoked: their KV records go next. */
  | { outcome: "started"; keys: { id: string; kvKey: string }[] };

/** `manager`: null when the caller is an operator key, else the caller's id. */
export async function startRevocation(
  db: Db,
  tenant: Tenant,
  id: string,
  manager: string | null,
  now: number,
): Promise<Revocation> {
  const { target, keys } = await db.write(startRevoke, { ...tenant, id, manager, now });
  const found = target[0];
  if (!found) return { outcome: "not_found" };
  if (!found.permitted) return { outcome: "forbidden" };
  return { outcome: "started", keys };
}

/**
 * The same first step for a key the listing lost (a restore) that the
 * reconciliation revokes: lists it again, already revoked, and marks every
 * key it made, in one transaction. Should the run stop before their KV
 * records go, the reconciliation finishes it as a delete that stopped.
 */
const startUnlistedRevoke = defineWrite({
  list: change((b) =>
    b
      .insert(apiKeys)
      .values({ ...listingValues, revokedAt: param("now") })
      .onConflictDoNothing(),
  ),
  mark: markLineage,
  keys: lineageKeys,
});

/** Starts revoking an unlisted key (its listing from its record): its KV records, and those of the keys it made, go next. */
export async function startUnlistedRevocation(
  db: Db,
  listing: ReturnType<typeof listingOf>,
  now: number,
): Promise<{ id: string; kvKey: string }[]> {
  const { keys } = await db.write(startUnlistedRevoke, { ...listing, manager: null, now });
  return keys;
}

const removeBatch = defineWrite({
  remove: change((b) =>
    b
      .delete(apiKeys)
      .where(
        and(
          inThisTenant,
          sql`${apiKeys.id} IN (SELECT value FROM json_each(${param("ids")}))`,
          isNotNull(apiKeys.revokedAt),
        ),
      ),
  ),
});

/** The last step of a delete: the KV records are gone, so the listings go too. */
export async function removeListings(db: Db, tenant: Tenant, ids: readonly string[]) {
  await db.write(removeBatch, { ...tenant, ids: JSON.stringify(ids) });
}

const revokingBatch = defineRead(
  { orgId: apiKeys.orgId, mode: apiKeys.mode, id: apiKeys.id, kvKey: apiKeys.kvKey },
  (from) =>
    from()
      .from(apiKeys)
      .where(and(isNotNull(apiKeys.revokedAt), lt(apiKeys.revokedAt, param("before"))))
      .limit(sql.placeholder("limit")),
);

/** Deletes started before `before` that never finished: the reconciliation finishes them. */
export function unfinishedRevocations(db: Db, before: number, limit: number) {
  return db.read(revokingBatch, { before, limit });
}
