import { idKvKey, type KeyRecord, keyEntries } from "../lib/api-keys";

/**
 * KV metadata of a record written by the API: until its listing commits, the
 * scheduled reconciliation may delete it (nobody ever saw an unlisted key's
 * secret). Records the CLI writes carry none and are never deleted that way.
 */
export type ApiWrittenKey = { via: "api"; createdAt: number };

/** The auth record (under the key's hash) and its id → hash entry. */
export async function putKeyRecord(kv: KVNamespace, apiKey: string, record: KeyRecord) {
  const metadata: ApiWrittenKey = { via: "api", createdAt: Date.parse(record.createdAt) };
  const [auth, byId] = await keyEntries(apiKey, record);
  if (!auth || !byId) throw new Error("no KV entries for a key");
  await kv.put(auth.key, auth.value, { metadata });
  await kv.put(byId.key, byId.value);
  return auth.key;
}

/** Removes what authenticates a key: its record, then its id entry. */
export async function deleteKeyRecords(kv: KVNamespace, kvKey: string, keyId: string) {
  await kv.delete(kvKey);
  await kv.delete(idKvKey(keyId));
}
