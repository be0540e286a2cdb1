import { BoundedCache } from "../lib/bounded-cache";
import { logLine } from "../lib/log";
import { type ApiVersion, isApiVersion, pinKvKey } from "./ids";

/**
 * Organizations' pinned versions (KV `orgversion:<orgId>`), for requests
 * without a `Commet-Version` header and for webhook payloads. A warm isolate
 * knows a pin for this long (as it knows a key), so it reads no KV.
 */
const PIN_CACHE_TTL_MS = 60_000;
const MAX_CACHED_PINS = 1000;
const pins = new BoundedCache<ApiVersion | null>(MAX_CACHED_PINS);

/** Forgets cached pins (tests change pins between requests). */
export function clearPinCache() {
  pins.clear();
}

/** The organization's pinned version, or null when it has none (or one we do not serve). */
export async function pinnedVersion(kv: KVNamespace, orgId: string): Promise<ApiVersion | null> {
  const now = Date.now();
  const hit = pins.get(orgId, now);
  if (hit !== undefined) return hit;
  const raw = (await kv.get(pinKvKey(orgId), { cacheTtl: 30 }))?.trim() ?? null;
  const version = raw !== null && isApiVersion(raw) ? raw : null;
  if (raw !== null && version === null) {
    // A pin we cannot read must not break the organization: the current version, loudly.
    logLine("error", "unknown pinned API version", { orgId, pin: raw });
  }
  pins.set(orgId, version, now + PIN_CACHE_TTL_MS);
  return version;
}
