import { env } from "cloudflare:test";
import { insertListing } from "../../scripts/lib/listing";
import {
  buildKeyRecord,
  generateApiKey,
  type KeyOptions,
  type KeyRecord,
  keyEntries,
  recordKvKey,
} from "../../src/lib/api-keys";
import { newId } from "../../src/lib/ids";

type Options = Partial<Omit<KeyOptions, "orgId" | "mode">> & {
  expiresAt?: string;
  /** false: KV only, as a key from before the listing (it cannot make keys). */
  listed?: boolean;
};

/** Stores a key in KV and lists it, exactly as `npm run key:create` does; returns the key and its record. */
export async function createKey(
  orgId: string,
  mode: "test" | "live" = "test",
  opts: Options = {},
): Promise<{ key: string; record: KeyRecord }> {
  const key = generateApiKey(mode);
  const record = buildKeyRecord(
    {
      orgId,
      mode,
      name: opts.name ?? "test",
      tier: opts.tier ?? "standard",
      expiresInDays: opts.expiresInDays ?? null,
    },
    newId("key"),
  );
  if (opts.expiresAt) record.expiresAt = opts.expiresAt;
  for (const { key: name, value, metadata } of await keyEntries(key, record))
    await env.API_KEYS.put(name, value, metadata ? { metadata } : {});
  if (opts.listed !== false) {
    await env.DB.prepare(insertListing(record, await recordKvKey(key), key.slice(0, 12))).run();
  }
  return { key, record };
}

let orgCounter = 0;

/** A fresh organization per test keeps tests independent of each other's data. */
export function uniqueOrg(): string {
  orgCounter += 1;
  return `org_${Date.now().toString(36)}${orgCounter}${Math.random().toString(36).slice(2, 8)}`;
}
