/**
 * The D1 listing of API keys (table `api_keys`), which `GET /api/v1/api-keys`
 * reads too. KV stays what authenticates: the listing is written after a key's
 * KV record and removed after it, the order the worker follows. No Node imports.
 */
import { z } from "zod";
import { KEY_TIERS, type KeyRecord } from "../../src/lib/api-keys";
import { MODES, type Tenant } from "../../src/tenant";
import { chunks, type Sql, sqlList, sqlText } from "./sql";

/** A listed key as `key:list` prints it: never a secret, dates in epoch ms. */
export type ListedKey = z.infer<typeof listedRow>;

const ms = z.number().int();
const listedRow = z
  .object({
    id: z.string(),
    name: z.string(),
    tier: z.enum(KEY_TIERS),
    created_at: ms,
    expires_at: ms.nullable(),
    last_used_at: ms.nullable(),
    created_by: z.string().nullable(),
  })
  .transform((r) => ({
    id: r.id,
    name: r.name,
    tier: r.tier,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    lastUsedAt: r.last_used_at,
    createdBy: r.created_by,
  }));

/**
 * Lists a key whose KV record is `kvKey`; a key already listed (by id or KV
 * record) is left as it is. `prefix`: the key's first 12 characters, or only
 * the mode prefix when the key is unknown (keys from before the listing).
 * The statement returns the id when it inserted the row.
 */
export function insertListing(record: KeyRecord, kvKey: string, prefix: string): string {
  const expiresAt = record.expiresAt === null ? null : Date.parse(record.expiresAt);
  const createdBy = record.createdBy ?? null;
  return sqlText`INSERT INTO api_keys (id, org_id, mode, name, prefix, tier, kv_key, created_at, expires_at, created_by)
VALUES (${record.id}, ${record.orgId}, ${record.mode}, ${record.name}, ${prefix}, ${record.tier}, ${kvKey}, ${Date.parse(record.createdAt)}, ${expiresAt}, ${createdBy})
ON CONFLICT DO NOTHING RETURNING id`;
}

/**
 * A listing of an earlier record under the same KV key (a stored demo key
 * stored again) lists what no longer authenticates: it goes before the new one.
 */
export const dropListingOf = (kvKey: string) =>
  sqlText`DELETE FROM api_keys WHERE kv_key = ${kvKey}`;

export const deleteListing = (tenant: Tenant, id: string) =>
  sqlText`DELETE FROM api_keys WHERE id = ${id} AND org_id = ${tenant.orgId} AND mode = ${tenant.mode}`;

/**
 * Marks the key `id` and every key it made, directly or through them, revoked
 * (as the worker's delete does: a revoke that stops half way is finished by
 * the scheduled reconciliation); returns their ids and KV keys.
 */
export const markLineageRevoked = (tenant: Tenant, id: string, now: number) =>
  sqlText`WITH RECURSIVE lineage(id) AS (SELECT ${id} UNION SELECT made.id FROM api_keys AS made INDEXED BY api_keys_created_by_idx JOIN lineage ON made.created_by = lineage.id WHERE made.org_id = ${tenant.orgId} AND made.mode = ${tenant.mode})
UPDATE api_keys SET revoked_at = coalesce(revoked_at, ${now})
WHERE org_id = ${tenant.orgId} AND mode = ${tenant.mode} AND id IN (SELECT id FROM lineage) RETURNING id, kv_key`;

export const revokedRow = z
  .object({ id: z.string(), kv_key: z.string() })
  .transform((r) => ({ id: r.id, kvKey: r.kv_key }));

/** The listed keys of one organization and mode, newest first (ids sort by time). */
export async function listedKeys(sql: Sql, tenant: Tenant): Promise<ListedKey[]> {
  const rows = await sql.all(
    sqlText`SELECT id, name, tier, created_at, expires_at, last_used_at, created_by FROM api_keys
WHERE org_id = ${tenant.orgId} AND mode = ${tenant.mode} ORDER BY id DESC`,
  );
  return rows.map((row) => listedRow.parse(row));
}

const foundRow = z
  .object({
    id: z.string(),
    kv_key: z.string(),
    org_id: z.string(),
    mode: z.enum(MODES),
  })
  .transform((r) => ({ id: r.id, kvKey: r.kv_key, orgId: r.org_id, mode: r.mode }));

/** A key's listing, found by its id or its KV record, in whatever organization and mode. */
export async function findListing(sql: Sql, by: { id: string } | { kvKey: string }) {
  const where = "id" in by ? sqlText`id = ${by.id}` : sqlText`kv_key = ${by.kvKey}`;
  const rows = await sql.all(`SELECT id, kv_key, org_id, mode FROM api_keys WHERE ${where}`);
  return rows.length === 0 ? null : foundRow.parse(rows[0]);
}

/** Which of these KV records are listed. */
export async function listedAmong(sql: Sql, kvKeys: readonly string[]): Promise<Set<string>> {
  if (kvKeys.length === 0) return new Set();
  const queries = chunks(kvKeys, 100).map(
    (some) => sqlText`SELECT kv_key FROM api_keys WHERE kv_key IN ${sqlList(some)}`,
  );
  const rows = (await sql.run(queries)).flat();
  return new Set(rows.map((row) => z.object({ kv_key: z.string() }).parse(row).kv_key));
}
