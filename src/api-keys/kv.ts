import { z } from "zod";
import { idKvKey, type KeyRecord, keyEntries } from "../lib/api-keys";

/**
 * KV metadata of a record written by the API. `listed`: its listing
 * committed once (the mark, written after the create's batch). Until it is
 * marked, the scheduled reconciliation may delete an unlisted record (nobody
 * ever saw the secret of a key whose listing never committed); once marked,
 * never. Records the CLI writes carry none and are never deleted that way.
 */
export type ApiWrittenKey = { via: "api"; createdAt: number; listed?: true };

const apiWrittenKey = z.object({
  via: z.literal("api"),
  createdAt: z.number(),
  listed: z.literal(true).optional(),
});

/** The metadata, if it is what the API writes; anything else is not the API's. */
export function apiWritten(metadata: unknown): ApiWrittenKey | null {
  const parsed = apiWrittenKey.safeParse(metadata);
  return parsed.success ? parsed.data : null;
}

/** The auth record (under the key's hash) and its id → hash entry; returns the record's KV key and value. */
export async function putKeyRecord(kv: KVNamespace, apiKey: string, record: KeyRecord) {
  const metadata: ApiWrittenKey = { via: "api", createdAt: Date.parse(record.createdAt) };
  const [auth, byId] = await keyEntries(apiKey, record);
  if (!auth || !byId) throw new Error("no KV entries for a key");
  await kv.put(auth.key, auth.value, { metadata });
  await kv.put(byId.key, byId.value);
  return { kvKey: auth.key, value: auth.value };
}

/** Rewrites a record with the mark that its listing committed (see `markListed`). */
export async function putListedMark(
  kv: KVNamespace,
  entry: { kvKey: string; value: string; createdAt: number },
) {
  const metadata: ApiWrittenKey = { via: "api", createdAt: entry.createdAt, listed: true };
  await kv.put(entry.kvKey, entry.value, { metadata });
}

/** Removes what authenticates a key: its record, then its id entry. */
export async function deleteKeyRecords(kv: KVNamespace, kvKey: string, keyId: string) {
  await kv.delete(kvKey);
  await kv.delete(idKvKey(keyId));
}
