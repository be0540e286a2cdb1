import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/database";
import { newestFirst } from "../db/pages";
import { apiKeys } from "../db/schema";
import { inTenant, noTable, valuesWhere } from "../db/sql";
import { change, defineRead, defineWrite, param, select, tenantParams } from "../db/statements";
import type { KeyTier } from "../lib/api-keys";
import type { Tenant } from "../tenant";
import type { ApiKeyRecord } from "./record";

/** Keys one organization and mode may hold (the CLI's keys count too). */
export const MAX_KEYS = 100;

const columns = {
  id: apiKeys.id,
  name: apiKeys.name,
  prefix: apiKeys.prefix,
  createdAt: apiKeys.createdAt,
  expiresAt: apiKeys.expiresAt,
  lastUsedAt: apiKeys.lastUsedAt,
  createdBy: apiKeys.createdBy,
};

const keyId = param<string>("id");
const thisKey = and(eq(apiKeys.id, keyId), inTenant(apiKeys, tenantParams)) as SQL;
const keyCount = sql<number>`(SELECT count(*) FROM ${apiKeys} WHERE ${inTenant(apiKeys, tenantParams)})`;
const hasRoom = sql`${keyCount} < ${MAX_KEYS}`;

/** Newest first, a page at a time. */
export const listKeys = newestFirst(apiKeys, columns) as (
  db: Db,
  tenant: Tenant,
  page: { after: string | null; limit: number },
) => Promise<ApiKeyRecord[]>;

export type NewKeyListing = ApiKeyRecord & { tier: KeyTier; kvKey: string };

/** Lists a key whose KV record was just written, if the organization has room for it. */
const insertBatch = defineWrite(
  {
    insert: change((b) =>
      b.insert(apiKeys).select(
        valuesWhere(
          apiKeys,
          {
            id: keyId,
            orgId: tenantParams.orgId,
            mode: tenantParams.mode,
            name: param("name"),
            prefix: param("prefix"),
            tier: param("tier"),
            kvKey: param("kvKey"),
            createdAt: param("createdAt"),
            expiresAt: param("expiresAt"),
            createdBy: param("createdBy"),
          },
          hasRoom,
        ),
      ),
    ),
    state: select({ count: keyCount }, (from) => from().from(noTable)),
  },
  { precondition: () => hasRoom },
);

/** False when the organization and mode already hold MAX_KEYS keys. */
export async function insertListing(
  db: Db,
  tenant: Tenant,
  key: NewKeyListing,
  response?: { status: number; body: string },
): Promise<boolean> {
  const { insert } = await db.write(
    insertBatch,
    { ...tenant, ...key },
    { resourceId: key.id, ...(response ? { response } : {}) },
  );
  return insert > 0;
}

const touchBatch = defineWrite({
  touch: change((b) =>
    b
      .update(apiKeys)
      .set({ lastUsedAt: param("now") })
      .where(and(thisKey, sql`coalesce(${apiKeys.lastUsedAt}, 0) < ${param("now")}`)),
  ),
});

/** `lastUsedAt`, in the listing only: never in the KV record a late write could resurrect. */
export async function touchKey(db: Db, tenant: Tenant, id: string, now: number) {
  await db.write(touchBatch, { ...tenant, id, now });
}

const listedBatch = defineRead(
  { kvKey: apiKeys.kvKey, id: apiKeys.id, revokedAt: apiKeys.revokedAt },
  (from) =>
    from()
      .from(apiKeys)
      .where(sql`${apiKeys.kvKey} IN (SELECT value FROM json_each(${param("kvKeys")}))`),
);

/** The listing of each of these KV records that is listed; `revoked`: a delete has started. */
export async function listedAmong(
  db: Db,
  kvKeys: readonly string[],
): Promise<Map<string, { id: string; revoked: boolean }>> {
  if (kvKeys.length === 0) return new Map();
  const rows = await db.read(listedBatch, { kvKeys: JSON.stringify(kvKeys) });
  return new Map(rows.map((r) => [r.kvKey, { id: r.id, revoked: r.revokedAt !== null }]));
}
