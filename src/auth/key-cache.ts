import { type KeyRecord, MAX_API_KEY_LENGTH, parseKeyRecord, recordKvKey } from "../lib/api-keys";
import { BoundedCache } from "../lib/bounded-cache";
import { logLine } from "../lib/log";

/**
 * How long a warm isolate trusts a key it looked up. A revoked key keeps
 * working here for at most this long, on top of KV's own propagation delay
 * (docs/api-keys.md, "Revocation delay"). Expiry is still checked on every request.
 */
export const KEY_CACHE_TTL_MS = 30_000;
/**
 * KV's edge cache for the record, at KV's minimum. Kept no longer than KV's
 * propagation delay, so it adds nothing to the revocation worst case.
 */
const KV_CACHE_TTL_SECONDS = 30;
/** Unknown keys are remembered briefly, so retrying one costs no hash and no KV read. */
export const UNKNOWN_KEY_TTL_MS = 30_000;
/** KV documents up to 60 s before a delete is seen everywhere; this outlasts it. */
const FORGOTTEN_TTL_MS = 120_000;
const MAX_ENTRIES = 1000;

/**
 * A key as this isolate knows it. `operator`: made by the operator (the CLI),
 * so it manages every key of its organization and mode. A record from before
 * lineage (no `createdBy`) is the operator's only if it carries no KV
 * metadata: the API always wrote `{ via: "api" }`, the CLI never wrote any.
 */
type KnownKey = { record: KeyRecord; operator: boolean };

// Keyed by the presented key itself, so a warm request does no hashing at all.
// These live only in isolate memory, which sees the key on every request
// anyway; KV and everything stored only ever hold the hash. Two caches, so a
// flood of guessed keys cannot push the real ones out.
const known = new BoundedCache<KnownKey>(MAX_ENTRIES);
const unknown = new BoundedCache<true>(MAX_ENTRIES);
/** Key ids deleted through this isolate: refused even if KV still serves their record. */
const forgotten = new BoundedCache<true>(MAX_ENTRIES);

/** The record of a key this isolate looked up recently, without any I/O. */
export function cachedKey(apiKey: string, now = Date.now()): KnownKey | undefined {
  return known.get(apiKey, now);
}

/**
 * Reads the key's record from KV (unless it was unknown a moment ago). A
 * record that does not parse is refused like an unknown key, and logged with
 * its KV key so someone can look at it.
 */
export async function fetchKey(
  kv: KVNamespace,
  apiKey: string,
  requestId: string,
  now = Date.now(),
): Promise<KnownKey | null> {
  // readCredential refuses these already; the caches must not hold one either way.
  if (apiKey.length > MAX_API_KEY_LENGTH) return null;
  if (unknown.get(apiKey, now)) return null;
  const kvKey = await recordKvKey(apiKey);
  const { value: raw, metadata } = await kv.getWithMetadata(kvKey, {
    type: "text",
    cacheTtl: KV_CACHE_TTL_SECONDS,
  });
  const parsed = raw === null ? null : parseKeyRecord(raw);
  if (parsed && "problems" in parsed) {
    logLine("error", "invalid API key record: key refused", {
      requestId,
      kvKey,
      problems: parsed.problems,
    });
  }
  if (!parsed || "problems" in parsed || forgotten.get(parsed.record.id, now)) {
    unknown.set(apiKey, true, now + UNKNOWN_KEY_TTL_MS);
    return null;
  }
  const { record } = parsed;
  const operator =
    record.createdBy === null || (record.createdBy === undefined && metadata === null);
  const key = { record, operator };
  known.set(apiKey, key, now + KEY_CACHE_TTL_MS);
  return key;
}

/**
 * Drops a deleted key from this isolate at once: call it after deleting the
 * key's KV record. For as long as KV may still serve the old record here,
 * this isolate refuses the key anyway.
 */
export function forgetKey(keyId: string, now = Date.now()): void {
  forgetKeys([keyId], now);
}

/** `forgetKey` for a key and every key it made, in one pass over the cache. */
export function forgetKeys(keyIds: readonly string[], now = Date.now()): void {
  const ids = new Set(keyIds);
  known.deleteWhere((key) => ids.has(key.record.id));
  for (const id of ids) forgotten.set(id, true, now + FORGOTTEN_TTL_MS);
}

/** For tests: every isolate-level memory of keys. */
export function clearKeyCache(): void {
  known.clear();
  unknown.clear();
  forgotten.clear();
}
