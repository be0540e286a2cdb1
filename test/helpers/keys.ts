import { env } from "cloudflare:test";
import { generateApiKey, idKvKey, type KeyRecord, recordKvKey } from "../../src/lib/api-keys";
import { newId } from "../../src/lib/ids";

type KeyOptions = Partial<Pick<KeyRecord, "name" | "tier" | "expiresAt">>;

/** Stores a key record in KV the way `npm run key:create` does; returns the key. */
export async function createKey(
  orgId: string,
  mode: "test" | "live" = "test",
  opts: KeyOptions = {},
): Promise<{ key: string; record: KeyRecord }> {
  const key = generateApiKey(mode);
  const record: KeyRecord = {
    id: newId("key"),
    orgId,
    mode,
    name: opts.name ?? "test",
    tier: opts.tier ?? "standard",
    createdAt: new Date().toISOString(),
    expiresAt: opts.expiresAt ?? null,
  };
  const kvKey = await recordKvKey(key);
  await env.API_KEYS.put(kvKey, JSON.stringify(record));
  await env.API_KEYS.put(idKvKey(record.id), kvKey);
  return { key, record };
}

let orgCounter = 0;

/** A fresh organization per test keeps tests independent of each other's data. */
export function uniqueOrg(): string {
  orgCounter += 1;
  return `org_${Date.now().toString(36)}${orgCounter}${Math.random().toString(36).slice(2, 8)}`;
}
