import { z } from "zod";
import {
  idKvKey,
  type KeyIdEntry,
  type KeyRecord,
  keyEntries,
  parseKeyRecord,
} from "../lib/api-keys";

/**
 * KV metadata of a record written by the API, never rewritten after the
 * create (src/auth/key-cache.ts reads `via` for records from before lineage).
 * Records written before the mark moved to the id entry may carry
 * `listed: true` too; nothing reads it any more.
 */
type ApiWrittenKey = { via: "api"; createdAt: number };

const apiWrittenKey = z.object({ via: z.literal("api"), createdAt: z.number() });

/** The metadata, if it is what the API writes; anything else is not the API's. */
export function apiWritten(metadata: unknown): ApiWrittenKey | null {
  const parsed = apiWrittenKey.safeParse(metadata);
  return parsed.success ? parsed.data : null;
}

/**
 * The auth record (under the key's hash), then its id entry, unmarked (see
 * `KeyIdEntry`); returns the record's KV key and the id entry's metadata.
 */
export async function putKeyRecord(kv: KVNamespace, apiKey: string, record: KeyRecord) {
  const [auth, byId] = await keyEntries(apiKey, record, "api");
  await kv.put(auth.key, auth.value, { metadata: auth.metadata });
  await kv.put(byId.key, byId.value, { metadata: byId.metadata });
  return { kvKey: auth.key, entry: byId.metadata };
}

/** Writes the mark that a key's listing committed on its id entry (see `markListed`). */
export async function putListedMark(kv: KVNamespace, id: string, entry: KeyIdEntry) {
  const metadata: KeyIdEntry = { ...entry, listed: true };
  await kv.put(idKvKey(id), entry.kvKey, { metadata });
}

/** Removes what authenticates a key: its record, then its id entry. */
export async function deleteKeyRecords(kv: KVNamespace, kvKey: string, keyId: string) {
  await kv.delete(kvKey);
  await kv.delete(idKvKey(keyId));
}

/** The record under `kvKey` if it is key `id`'s, with the record's own KV metadata. */
export async function readRecord(kv: KVNamespace, kvKey: string, id: string) {
  const { value, metadata } = await kv.getWithMetadata(kvKey);
  const parsed = value === null ? null : parseKeyRecord(value);
  return parsed && "record" in parsed && parsed.record.id === id
    ? { record: parsed.record, metadata }
    : null;
}
