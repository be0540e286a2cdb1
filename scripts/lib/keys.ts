/**
 * Every write and read of API keys the scripts make: the KV record that
 * authenticates a key, and its row in the D1 listing that the API lists keys
 * from. KV and D1 share no transaction, so the order is the worker's: a new
 * key's KV record first, then its listing; a revoked key's KV record first,
 * then its listing.
 */
import {
  API_KEY_PATTERN,
  buildKeyRecord,
  generateApiKey,
  idKvKey,
  type KeyOptions,
  type KeyRecord,
  keyEntries,
  parseKeyRecord,
  recordKvKey,
} from "../../src/lib/api-keys";
import { newId } from "../../src/lib/ids";
import type { Tenant } from "../../src/tenant";
import { type Kv, kvGet } from "./kv";
import {
  deleteListing,
  dropListingOf,
  findListing,
  insertListing,
  type ListedKey,
  listedAmong,
  listedKeys,
  markLineageRevoked,
  revokedRow,
} from "./listing";
import { pinForNewKey } from "./pins";
import type { Sql } from "./sql";

/** What the listing shows of a key: its first 12 characters, never enough to use it. */
const prefixOf = (apiKey: string) => apiKey.slice(0, 12);

/**
 * Stores a new key (its hash, never the key) and lists it; returns the key and
 * its record. An organization's first key also pins it to the current API
 * version: `pin` is the organization's version after the write, `newPin` says
 * whether it was set now. `apiKey` lets `npm run dev` store its saved demo key again.
 */
export async function storeNewKey(
  kv: Kv,
  sql: Sql,
  opts: KeyOptions,
  apiKey = generateApiKey(opts.mode),
) {
  const record = buildKeyRecord(opts, newId("key"));
  const { pin, entry } = await pinForNewKey(kv, opts.orgId);
  const entries = await keyEntries(apiKey, record);
  await kv.putMany([...entries, ...(entry ? [entry] : [])]);
  const kvKey = await recordKvKey(apiKey);
  try {
    await sql.run([dropListingOf(kvKey), insertListing(record, kvKey, prefixOf(apiKey))]);
  } catch (err) {
    // Nobody has seen the key yet: take it back rather than leave it working
    // unlisted (should that fail too, key:list counts it as not listed).
    await kv.deleteMany(entries.map((e) => e.key)).catch(() => undefined);
    throw err;
  }
  return { apiKey, record, pin, newPin: entry !== null };
}

/** Lists a key whose KV record exists (the demo key of an older `npm run dev`); true if it was not listed. */
export async function ensureListed(sql: Sql, apiKey: string, record: KeyRecord): Promise<boolean> {
  const kvKey = await recordKvKey(apiKey);
  if ((await listedAmong(sql, [kvKey])).has(kvKey)) return false;
  await sql.run([insertListing(record, kvKey, prefixOf(apiKey))]);
  return true;
}

/** A stored record, read strictly as the worker reads it; null when it does not parse. */
export function parseRecord(value: string): KeyRecord | null {
  const parsed = parseKeyRecord(value);
  return "record" in parsed ? parsed.record : null;
}

/** Records under `names` that parse, and how many did not (absent ones count as neither). */
async function readRecords(kv: Kv, names: readonly string[]) {
  const records = new Map<string, KeyRecord>();
  let unreadable = 0;
  if (names.length === 0) return { records, unreadable };
  for (const [name, value] of await kv.getMany(names)) {
    if (value === null) continue;
    const record = parseRecord(value);
    if (record) records.set(name, record);
    else unreadable += 1;
  }
  return { records, unreadable };
}

/** Every key record in KV (the org pin backfill needs them all). */
export async function listKeyRecords(
  kv: Kv,
): Promise<{ records: KeyRecord[]; unreadable: number }> {
  const { records, unreadable } = await readRecords(kv, await kv.list("apikey:"));
  return { records: [...records.values()], unreadable };
}

/** KV key records that are not listed: every one with `npm run key:backfill`, or one tenant's. */
async function unlistedRecords(kv: Kv, sql: Sql) {
  const names = await kv.list("apikey:");
  const listed = await listedAmong(sql, names);
  const { records, unreadable } = await readRecords(
    kv,
    names.filter((n) => !listed.has(n)),
  );
  return { records, unreadable, alreadyListed: listed.size };
}

/**
 * The listed keys of one organization and mode, newest first, and how many of
 * its KV key records are not listed (keys from before the listing).
 */
export async function listKeys(
  kv: Kv,
  sql: Sql,
  tenant: Tenant,
): Promise<{ keys: ListedKey[]; unlisted: number; unreadable: number }> {
  const keys = await listedKeys(sql, tenant);
  const { records, unreadable } = await unlistedRecords(kv, sql);
  const unlisted = [...records.values()].filter(
    (r) => r.orgId === tenant.orgId && r.mode === tenant.mode,
  ).length;
  return { keys, unlisted, unreadable };
}

export type BackfillResult = {
  listed: number;
  alreadyListed: number;
  unreadable: number;
  /** Made over the API (they name a maker): the scheduled reconciliation lists them, or revokes them. */
  leftToReconciliation: number;
};

/**
 * `npm run key:backfill`: lists every KV record not listed yet that predates
 * the listing. The key itself was never stored, so the prefix is only the
 * mode's (`ck_test_`). Idempotent: a key listed meanwhile is left as it is.
 * A record that names its maker was listed when it was made, so it is
 * unlisted only by a restore: it is left to the reconciliation, which lists
 * it again only if every key above it still works (src/api-keys/lineage.ts).
 */
export async function backfillListing(kv: Kv, sql: Sql): Promise<BackfillResult> {
  const { records, unreadable, alreadyListed } = await unlistedRecords(kv, sql);
  const unmade = [...records].filter(([, record]) => typeof record.createdBy !== "string");
  const inserts = unmade.map(([kvKey, record]) =>
    insertListing(record, kvKey, `ck_${record.mode}_`),
  );
  const inserted = inserts.length === 0 ? [] : await sql.run(inserts);
  const listed = inserted.filter((rows) => rows.length > 0).length;
  return {
    listed,
    alreadyListed: alreadyListed + inserts.length - listed,
    unreadable,
    leftToReconciliation: records.size - unmade.length,
  };
}

/** `made`: the ids of the keys it made over the API, directly or through them, revoked with it. */
export type Revocation =
  | { revoked: KeyRecord; made: string[] }
  /** Listed, but its KV record was already gone: only the listing was left to remove. */
  | { listingOnly: Tenant & { id: string }; made: string[] };

/**
 * Revokes a key, found by its id (`key_...`) or by the key itself (`ck_...`),
 * and every key it made over the API, directly or through them (the listing
 * knows who made whom): their KV records first (what authenticates), then
 * their listings. Null when there is no such key in either store.
 */
export async function revokeKey(kv: Kv, sql: Sql, idOrKey: string): Promise<Revocation | null> {
  const hashed = API_KEY_PATTERN.test(idOrKey) ? await recordKvKey(idOrKey) : null;
  const kvKey = hashed ?? (await kvGet(kv, idKvKey(idOrKey)));
  const found = kvKey === null ? null : await readRecord(kv, kvKey);
  if (kvKey !== null && found !== null && (hashed !== null || found.id === idOrKey)) {
    return revokeStored(kv, sql, kvKey, found);
  }
  const listing = await findListing(sql, hashed ? { kvKey: hashed } : { id: idOrKey });
  if (listing === null) return null;
  // With --remote each read is a wrangler process: the record under the same KV key was just read.
  const record = listing.kvKey === kvKey ? found : await readRecord(kv, listing.kvKey);
  if (record?.id === listing.id) return revokeStored(kv, sql, listing.kvKey, record);
  // Already gone from KV. Its KV key may hold another key's record by now (a
  // demo key stored again): that one stays.
  const made = await revokeLineage(kv, sql, listing, listing.id, [
    idKvKey(listing.id),
    ...(record === null ? [listing.kvKey] : []),
  ]);
  return { listingOnly: { id: listing.id, orgId: listing.orgId, mode: listing.mode }, made };
}

async function revokeStored(kv: Kv, sql: Sql, kvKey: string, record: KeyRecord) {
  const made = await revokeLineage(kv, sql, record, record.id, [kvKey, idKvKey(record.id)]);
  return { revoked: record, made };
}

/**
 * Marks the key and the keys it made revoked, deletes `entries` (the key's
 * own KV entries) and theirs, then the listings. Returns the ids of the keys it made.
 */
async function revokeLineage(kv: Kv, sql: Sql, tenant: Tenant, id: string, entries: string[]) {
  const [marked = []] = await sql.run([markLineageRevoked(tenant, id, Date.now())]);
  const made = marked
    .map((row) => revokedRow.parse(row))
    .filter((m) => m.id !== id)
    .sort((a, b) => a.id.localeCompare(b.id));
  await kv.deleteMany([...entries, ...made.flatMap((m) => [m.kvKey, idKvKey(m.id)])]);
  await sql.run([id, ...made.map((m) => m.id)].map((each) => deleteListing(tenant, each)));
  return made.map((m) => m.id);
}

async function readRecord(kv: Kv, kvKey: string): Promise<KeyRecord | null> {
  const value = await kvGet(kv, kvKey);
  return value === null ? null : parseRecord(value);
}
