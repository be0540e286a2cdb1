import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/database";
import { newestFirst } from "../db/pages";
import { apiKeys } from "../db/schema";
import { inTenant, noTable, valuesWhere } from "../db/sql";
import { change, defineWrite, param, select, tenantParams } from "../db/statements";
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
/**
 * The key making it is listed in this tenant and no delete of it has started.
 * A deleted key works on elsewhere for the revocation delay; D1 runs this
 * batch and the delete's one after the other, so a key it makes is either in
 * the delete's lineage snapshot or never listed.
 */
const makerListed = sql<number>`EXISTS (SELECT 1 FROM ${apiKeys} WHERE ${apiKeys.id} = ${param("createdBy")} AND ${inTenant(apiKeys, tenantParams)} AND ${apiKeys.revokedAt} IS NULL)`;
const canInsert = sql`(${makerListed} AND ${hasRoom})`;

/** A listing's columns, each bound from the value of the same name (`id`, `orgId`, ..., `createdBy`). */
export const listingValues = {
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
};

/** Newest first, a page at a time. */
export const listKeys = newestFirst(apiKeys, columns) as (
  db: Db,
  tenant: Tenant,
  page: { after: string | null; limit: number },
) => Promise<ApiKeyRecord[]>;

type NewKeyListing = ApiKeyRecord & { tier: KeyTier; kvKey: string };

/** Lists a key whose KV record was just written, if its maker is listed and the organization has room. */
const insertBatch = defineWrite(
  {
    insert: change((b) => b.insert(apiKeys).select(valuesWhere(apiKeys, listingValues, canInsert))),
    state: select({ makerListed }, (from) => from().from(noTable)),
  },
  { precondition: () => canInsert },
);

/**
 * `listed`, or why not: `maker_unlisted` (the calling key is being deleted,
 * or was never listed), `full` (the organization and mode hold MAX_KEYS keys).
 */
export async function insertListing(
  db: Db,
  tenant: Tenant,
  key: NewKeyListing,
  response?: { status: number; body: string },
): Promise<"listed" | "maker_unlisted" | "full"> {
  const { insert, state } = await db.write(
    insertBatch,
    { ...tenant, ...key },
    { resourceId: key.id, ...(response ? { response } : {}) },
  );
  if (insert > 0) return "listed";
  return state[0]?.makerListed ? "full" : "maker_unlisted";
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
