/**
 * Every write and read of API keys the scripts make. A new store of keys (the
 * D1 index the API will list them from) gets its write in `storeNewKey` and
 * its delete in `revokeKey`, beside KV's.
 */
import {
  API_KEY_PATTERN,
  buildKeyRecord,
  generateApiKey,
  idKvKey,
  type KeyOptions,
  type KeyRecord,
  keyEntries,
  keyRecordSchema,
  recordKvKey,
} from "../../src/lib/api-keys";
import { newId } from "../../src/lib/ids";
import { type Kv, kvGet } from "./kv";
import { pinForNewKey } from "./pins";

/**
 * Stores a new key (its hash, never the key) and returns the key and its record.
 * An organization's first key also pins it to the current API version: `pin` is
 * the organization's version after the write, `newPin` says whether it was set now.
 * `apiKey` lets `npm run dev` store its saved demo key again.
 */
export async function storeNewKey(kv: Kv, opts: KeyOptions, apiKey = generateApiKey(opts.mode)) {
  const record = buildKeyRecord(opts, newId("key"));
  const { pin, entry } = await pinForNewKey(kv, opts.orgId);
  await kv.putMany([...(await keyEntries(apiKey, record)), ...(entry ? [entry] : [])]);
  return { apiKey, record, pin, newPin: entry !== null };
}

/**
 * Every key record in the namespace (until keys have an index of their own,
 * this reads them all). Records that do not parse are counted, not returned.
 */
export async function listKeyRecords(
  kv: Kv,
): Promise<{ records: KeyRecord[]; unreadable: number }> {
  const names = await kv.list("apikey:");
  const values = await kv.getMany(names);
  const records: KeyRecord[] = [];
  let unreadable = 0;
  for (const value of values.values()) {
    const parsed = value === null ? null : keyRecordSchema.safeParse(safeJson(value));
    if (parsed?.success) records.push(parsed.data);
    else if (value !== null) unreadable += 1;
  }
  return { records, unreadable };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Deletes a key, found by its id (`key_...`) or by the key itself (`ck_...`).
 * Returns its record, or null when there is no such key.
 */
export async function revokeKey(kv: Kv, idOrKey: string): Promise<KeyRecord | null> {
  const recordKey = API_KEY_PATTERN.test(idOrKey)
    ? await recordKvKey(idOrKey)
    : await kvGet(kv, idKvKey(idOrKey));
  if (recordKey === null) return null;
  const value = await kvGet(kv, recordKey);
  const parsed = value === null ? null : keyRecordSchema.safeParse(safeJson(value));
  if (!parsed?.success) return null;
  await kv.deleteMany([recordKey, idKvKey(parsed.data.id)]);
  return parsed.data;
}
