import { decodeBase64 } from "hono/utils/encode";
import { sha256Hex } from "./encoding";

/**
 * The encryption keys, from two Worker secrets: ENCRYPTION_KEY (base64 of
 * 32 bytes) is the current key, the only one that encrypts;
 * ENCRYPTION_KEYS_PREVIOUS (optional, comma-separated) only decrypts, so a
 * key can be replaced without losing what the old one sealed. A key's id is
 * derived from the key itself: operators never invent or pair ids.
 */
export type KeySecrets = { ENCRYPTION_KEY?: string; ENCRYPTION_KEYS_PREVIOUS?: string };

/** What is wrong with each secret ("missing", "malformed: ..."); absent when it is fine. Never a value. */
type KeyChecks = { [K in keyof KeySecrets]?: string };

export type RingKey = { id: string; key: CryptoKey };

export type KeyRing = {
  /** The key that encrypts; null when ENCRYPTION_KEY is missing or malformed (see `checks`). */
  current: RingKey | null;
  /** Every usable key, the current one first: what decrypts. */
  keys: RingKey[];
  checks: KeyChecks;
};

const KEY_BYTES = 32;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Why `text` is not a key, or null. Says nothing of the value but its decoded length. */
function keyProblem(text: string): string | null {
  if (!BASE64.test(text)) return `not base64 (expected base64 of ${KEY_BYTES} bytes)`;
  const bytes = decodeBase64(text).byteLength;
  return bytes === KEY_BYTES ? null : `${bytes} bytes, expected ${KEY_BYTES}`;
}

type Parsed = { current: Uint8Array | null; previous: Uint8Array[]; checks: KeyChecks };

function parse(secrets: KeySecrets): Parsed {
  const checks: KeyChecks = {};
  let current: Uint8Array | null = null;
  const text = secrets.ENCRYPTION_KEY?.trim() ?? "";
  if (text === "") checks.ENCRYPTION_KEY = "missing";
  else {
    const problem = keyProblem(text);
    if (problem) checks.ENCRYPTION_KEY = `malformed: ${problem}`;
    else current = decodeBase64(text);
  }
  const previous: Uint8Array[] = [];
  const list = secrets.ENCRYPTION_KEYS_PREVIOUS?.trim() ?? "";
  if (list !== "") {
    const entries = list.split(",").map((entry) => entry.trim());
    const problems: string[] = [];
    entries.forEach((entry, i) => {
      const problem = entry === "" ? "empty" : keyProblem(entry);
      if (problem) problems.push(`entry ${i + 1} of ${entries.length}: ${problem}`);
      else previous.push(decodeBase64(entry));
    });
    if (problems.length > 0) checks.ENCRYPTION_KEYS_PREVIOUS = `malformed: ${problems.join("; ")}`;
  }
  return { current, previous, checks };
}

// Keyed by the secrets' values: they change only with a deployment, so an
// isolate sees one or two of them (tests see a few more).
const MAX_CACHED = 16;
const checked = new Map<string, KeyChecks>();
const rings = new Map<string, Promise<KeyRing>>();

const cacheKey = (secrets: KeySecrets) =>
  `${secrets.ENCRYPTION_KEY ?? ""}|${secrets.ENCRYPTION_KEYS_PREVIOUS ?? ""}`;

function remember<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let value = cache.get(key);
  if (value === undefined) {
    if (cache.size >= MAX_CACHED) cache.clear();
    value = make();
    cache.set(key, value);
  }
  return value;
}

/** What is missing or malformed; `{}` when ready. Synchronous and cached: /health calls it. */
export const checkKeys = (secrets: KeySecrets): KeyChecks =>
  remember(checked, cacheKey(secrets), () => parse(secrets).checks);

/** The id of a key: the first 8 hex digits of the SHA-256 of its 32 bytes. */
export const keyIdOf = async (raw: Uint8Array) => (await sha256Hex(raw.slice().buffer)).slice(0, 8);

async function ringKey(raw: Uint8Array): Promise<RingKey> {
  const key = await crypto.subtle.importKey("raw", raw.slice().buffer, "AES-GCM", false, [
    "encrypt",
    "decrypt",
  ]);
  return { id: await keyIdOf(raw), key };
}

async function build(secrets: KeySecrets): Promise<KeyRing> {
  const { current, previous, checks } = parse(secrets);
  const made = await Promise.all([current, ...previous].map((raw) => (raw ? ringKey(raw) : null)));
  const keys: RingKey[] = [];
  for (const key of made) {
    if (key && !keys.some((k) => k.id === key.id)) keys.push(key);
  }
  return { current: made[0] ?? null, keys, checks };
}

/** The ring of `secrets`, built once per isolate and value. */
export const keyRing = (secrets: KeySecrets): Promise<KeyRing> =>
  remember(rings, cacheKey(secrets), () => build(secrets));
