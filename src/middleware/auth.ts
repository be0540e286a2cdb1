import { createMiddleware } from "hono/factory";
import type { AppEnv, Auth } from "../env";
import { ApiError } from "../errors";
import {
  API_KEY_PATTERN,
  isExpired,
  type KeyRecord,
  keyRecordSchema,
  recordKvKey,
} from "../lib/api-keys";

/**
 * A warm isolate remembers a key for at most this long, so a revoked key can
 * keep working for up to 60 s on an isolate that used it recently (documented
 * in the README). Expiry is still checked on every request.
 */
export const KEY_CACHE_TTL_MS = 60_000;
const MAX_CACHED_KEYS = 1000;
const cache = new Map<string, { record: KeyRecord; until: number }>();

export function clearKeyCache() {
  cache.clear();
}

function presentedKey(header: (name: string) => string | undefined): string | undefined {
  const direct = header("x-api-key");
  if (direct) return direct.trim();
  const match = header("authorization")?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

/**
 * The cache is keyed by the presented key itself, so a warm request does no
 * hashing at all. It lives only in isolate memory, which sees the key on every
 * request anyway; KV and everything stored only ever hold the hash.
 */
async function lookup(kv: KVNamespace, apiKey: string): Promise<KeyRecord | null> {
  const now = Date.now();
  const hit = cache.get(apiKey);
  if (hit && hit.until > now) return hit.record;
  cache.delete(apiKey);
  const kvKey = await recordKvKey(apiKey);
  // cacheTtl lets the edge keep the value too: a cold isolate near a warm
  // colo then pays no trip to KV's central store.
  const raw = await kv.get(kvKey, { type: "text", cacheTtl: KEY_CACHE_TTL_MS / 1000 });
  if (raw === null) return null;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return null;
  }
  const parsed = keyRecordSchema.safeParse(json);
  if (!parsed.success) return null;
  if (cache.size >= MAX_CACHED_KEYS) cache.delete(cache.keys().next().value as string);
  cache.set(apiKey, { record: parsed.data, until: now + KEY_CACHE_TTL_MS });
  return parsed.data;
}

/** Resolves the API key to `c.var.auth` and `c.var.tenant`, or throws 401. */
export function apiKeyAuth() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const apiKey = presentedKey((name) => c.req.header(name));
    const match = apiKey?.match(API_KEY_PATTERN);
    if (!apiKey || !match) throw new ApiError("unauthorized");
    const record = await lookup(c.env.API_KEYS, apiKey);
    if (!record || record.mode !== match[1] || isExpired(record)) {
      throw new ApiError("unauthorized");
    }
    const auth: Auth = {
      keyId: record.id,
      orgId: record.orgId,
      livemode: record.mode === "live",
      tier: record.tier,
    };
    c.set("auth", auth);
    c.set("tenant", { orgId: record.orgId, mode: record.mode });
    await next();
  });
}
