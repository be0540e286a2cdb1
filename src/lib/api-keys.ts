import { z } from "zod";
import { MODES } from "../tenant";
import { sha256Hex } from "./encoding";
import { ID_PATTERN } from "./ids";

/** A key's rate-limit tier: `unlimited` keys skip the limiter. */
export const KEY_TIERS = ["standard", "unlimited"] as const;
export type KeyTier = (typeof KEY_TIERS)[number];

/** Random characters of a key `generateApiKey` makes. */
const KEY_RANDOM_LENGTH = 40;
/**
 * The longest key the service issues (`ck_live_` + 40). Anything longer is
 * refused before it is hashed, looked up or cached: a guesser must not make
 * us hash or remember 30 KB.
 */
export const MAX_API_KEY_LENGTH = "ck_test_".length + KEY_RANDOM_LENGTH;

/** `ck_test_` or `ck_live_` + 32 to 40 base62 characters. */
export const API_KEY_PATTERN = /^ck_(test|live)_[A-Za-z0-9]{32,40}$/;

const timestamp = z.iso.datetime({ offset: true });

/**
 * The stored record, read strictly: a record we did not write (an `expiresAt`
 * that is no date would never expire, an empty `id` would share one rate-limit
 * bucket with every other) must refuse the key, never let it through.
 */
const keyRecordSchema = z.object({
  id: z.string().regex(ID_PATTERN),
  orgId: z.string().min(1),
  mode: z.enum(MODES),
  name: z.string(),
  tier: z.enum(KEY_TIERS),
  createdAt: timestamp,
  expiresAt: timestamp.nullable(),
  /**
   * Who made the key: null for the operator (the CLI), else the id of the key
   * that made it over the API. Records written before lineage lack it.
   */
  createdBy: z.string().regex(ID_PATTERN).nullable().optional(),
});

export type KeyRecord = z.infer<typeof keyRecordSchema>;

/** The record, or the names of the fields that are not what the format says. */
export function parseKeyRecord(raw: string): { record: KeyRecord } | { problems: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { problems: ["not JSON"] };
  }
  const parsed = keyRecordSchema.safeParse(json);
  if (parsed.success) return { record: parsed.data };
  return { problems: parsed.error.issues.map((i) => i.path.join(".") || "record") };
}

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
  while (out.length < KEY_RANDOM_LENGTH) {
    for (const b of crypto.getRandomValues(new Uint8Array(64))) {
      if (b < 248 && out.length < KEY_RANDOM_LENGTH) out += alphabet[b % 62];
    }
  }
  return `ck_${mode}_${out}`;
}

export type KeyOptions = Pick<KeyRecord, "orgId" | "mode" | "name" | "tier"> & {
  expiresInDays: number | null;
};

/** The record the CLI stores for a new key (the operator's); the key itself is never part of it. */
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
    createdBy: null,
  };
}

/**
 * KV metadata of a key's id entry (`apikeyid:<id>`, whose value is the
 * record's KV key). `via`: who made the key; `listed`: its listing committed
 * once. The scheduled reconciliation walks these entries
 * (src/api-keys/key-scan.ts); the mark lives here, never on the record that
 * authenticates, so writing it can never bring a deleted key back.
 */
const keyIdEntrySchema = z.object({
  via: z.enum(["api", "cli"]),
  createdAt: z.number(),
  kvKey: z.string().startsWith("apikey:"),
  listed: z.literal(true).optional(),
});
export type KeyIdEntry = z.infer<typeof keyIdEntrySchema>;

/** The id entry's metadata, or null for an entry from before it had any (or not ours). */
export function parseKeyIdEntry(metadata: unknown): KeyIdEntry | null {
  const parsed = keyIdEntrySchema.safeParse(metadata);
  return parsed.success ? parsed.data : null;
}

type KvEntry = { key: string; value: string; metadata?: Record<string, unknown> };

/**
 * The KV entries for a new key: its record under the key's hash, and id →
 * hash for revoking, with its unmarked id entry metadata. Only a record the
 * API writes carries metadata (`{ via: "api", createdAt }`, which
 * src/auth/key-cache.ts reads for records from before lineage).
 */
export async function keyEntries(
  apiKey: string,
  record: KeyRecord,
  via: KeyIdEntry["via"] = "cli",
): Promise<[KvEntry, KvEntry & { metadata: KeyIdEntry }]> {
  const kvKey = await recordKvKey(apiKey);
  const createdAt = Date.parse(record.createdAt);
  const idEntry: KeyIdEntry = { via, createdAt, kvKey };
  return [
    {
      key: kvKey,
      value: JSON.stringify(record),
      ...(via === "api" ? { metadata: { via, createdAt } } : {}),
    },
    { key: idKvKey(record.id), value: kvKey, metadata: idEntry },
  ];
}

export function isExpired(record: KeyRecord, now = Date.now()): boolean {
  return record.expiresAt !== null && Date.parse(record.expiresAt) <= now;
}
