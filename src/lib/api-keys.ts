import { z } from "zod";
import { sha256Hex } from "./encoding";

/** `ck_test_` or `ck_live_` + at least 32 base62 characters. */
export const API_KEY_PATTERN = /^ck_(test|live)_[A-Za-z0-9]{32,}$/;

export const keyRecordSchema = z.object({
  id: z.string(),
  orgId: z.string().min(1),
  mode: z.enum(["test", "live"]),
  name: z.string(),
  tier: z.enum(["standard", "unlimited"]).default("standard"),
  createdAt: z.string(),
  expiresAt: z.string().nullable(),
});

export type KeyRecord = z.infer<typeof keyRecordSchema>;

/** KV key of a key's record: only the hash of the secret is ever stored. */
export async function recordKvKey(apiKey: string): Promise<string> {
  return `apikey:${await sha256Hex(apiKey)}`;
}

/** KV key mapping a key id to its hash, so a key can be revoked by id. */
export const idKvKey = (keyId: string) => `apikeyid:${keyId}`;

export function generateApiKey(mode: "test" | "live"): string {
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  // 40 chars of base62 is ~238 bits; rejection sampling keeps it unbiased.
  let out = "";
  while (out.length < 40) {
    for (const b of crypto.getRandomValues(new Uint8Array(64))) {
      if (b < 248 && out.length < 40) out += alphabet[b % 62];
    }
  }
  return `ck_${mode}_${out}`;
}

export type KeyOptions = Pick<KeyRecord, "orgId" | "mode" | "name" | "tier"> & {
  expiresInDays: number | null;
};

/** The record stored for a new key; the key itself is never part of it. */
export function buildKeyRecord(opts: KeyOptions, id: string, now = new Date()): KeyRecord {
  return {
    id,
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
}

/** The KV entries for a new key: its record under the key's hash, and id → hash for revoking. */
export async function keyEntries(apiKey: string, record: KeyRecord) {
  const kvKey = await recordKvKey(apiKey);
  return [
    { key: kvKey, value: JSON.stringify(record) },
    { key: idKvKey(record.id), value: kvKey },
  ];
}

export function isExpired(record: KeyRecord, now = Date.now()): boolean {
  return record.expiresAt !== null && Date.parse(record.expiresAt) <= now;
}
