import { generateApiKey, idKvKey, type KeyRecord, recordKvKey } from "../../src/lib/api-keys";
import { newId } from "../../src/lib/ids";
import { kvPutMany } from "./wrangler";

export type NewKey = Pick<KeyRecord, "orgId" | "mode" | "name" | "tier"> & {
  expiresInDays: number | null;
};

/**
 * Stores a new key (its hash, never the key) and returns the key and its record.
 * `persistTo` points a local write at another state directory (see targetFlags).
 */
export async function storeNewKey(
  opts: NewKey,
  remote: boolean,
  apiKey = generateApiKey(opts.mode),
  persistTo?: string,
) {
  const now = new Date();
  const record: KeyRecord = {
    id: newId("key"),
    orgId: opts.orgId,
    mode: opts.mode,
    name: opts.name,
    tier: opts.tier,
    createdAt: now.toISOString(),
    expiresAt:
      opts.expiresInDays === null
        ? null
        : new Date(now.getTime() + opts.expiresInDays * 86_400_000).toISOString(),
  };
  const kvKey = await recordKvKey(apiKey);
  await kvPutMany(
    [
      { key: kvKey, value: JSON.stringify(record) },
      { key: idKvKey(record.id), value: kvKey },
    ],
    remote,
    persistTo,
  );
  return { apiKey, record };
}
