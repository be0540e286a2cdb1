import { decodeBase64, encodeBase64 } from "hono/utils/encode";
import { type KeyRing, type KeySecrets, keyRing, type RingKey } from "./key-ring";

/**
 * AES-GCM under the key ring (./key-ring.ts), for what must be stored but
 * never in plain text: webhook signing secrets and stored responses that
 * hold a secret. A value names the key that sealed it and is bound to its
 * row and purpose (`context`, the AES-GCM additional data): copied onto
 * another row, it does not decrypt.
 *
 *   enc:v2:<key id>:<base64(iv | ciphertext)>
 *   enc:v1:<base64(iv | ciphertext)>   before rings: no key id and no context;
 *                                      any key of the ring may open it
 *
 * v1 stays accepted after the re-encryption upgraded every value: refusing
 * it would take the job's state, a D1 read, on every decryption. Rotating
 * the key once retires it (docs/operations.md, "Rotating the encryption key").
 */
const V1 = "enc:v1:";
const V2 = "enc:v2:";
const IV_BYTES = 12;

/** The contexts sealed values are bound to: one per stored place. JSON, so no two can collide. */
export const sealedFor = {
  endpointSecret: (endpointId: string) => JSON.stringify(["webhook_endpoint.secret", endpointId]),
  /** A stored answer of a keyed request: its tenant and Idempotency-Key. */
  storedResponse: ({ tenant, key }: { tenant: { orgId: string; mode: string }; key: string }) =>
    JSON.stringify(["idempotency.response", tenant.orgId, tenant.mode, key]),
};

type EncryptionFailure =
  /** ENCRYPTION_KEY is not set. */
  | "missing"
  /** ENCRYPTION_KEY is not base64 of 32 bytes. */
  | "malformed"
  /** The value names a key that is in neither ENCRYPTION_KEY nor ENCRYPTION_KEYS_PREVIOUS. */
  | "unknown_key"
  /** The key is there but the value does not authenticate: altered, or sealed for another row. */
  | "not_authentic"
  /** Not a sealed value at all. */
  | "not_encrypted";

/** Why a value could not be sealed or opened. The message names keys by id, never by value. */
export class EncryptionError extends Error {
  constructor(
    readonly failure: EncryptionFailure,
    message: string,
    readonly keyId: string | null = null,
  ) {
    super(message);
    this.name = "EncryptionError";
  }

  /** The service's configuration is at fault (no usable ENCRYPTION_KEY), not the value. */
  get unconfigured(): boolean {
    return this.failure === "missing" || this.failure === "malformed";
  }
}

function unconfigured(ring: KeyRing): EncryptionError {
  const check = ring.checks.ENCRYPTION_KEY ?? "missing";
  return check === "missing"
    ? new EncryptionError("missing", "ENCRYPTION_KEY is not set")
    : new EncryptionError("malformed", `ENCRYPTION_KEY is ${check}`);
}

function currentKey(ring: KeyRing): RingKey {
  if (!ring.current) throw unconfigured(ring);
  return ring.current;
}

const utf8 = (text: string) => new TextEncoder().encode(text);

async function seal(key: RingKey, context: string, text: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: utf8(context) },
    key.key,
    utf8(text),
  );
  const out = new Uint8Array(IV_BYTES + sealed.byteLength);
  out.set(iv);
  out.set(new Uint8Array(sealed), IV_BYTES);
  return `${V2}${key.id}:${encodeBase64(out.buffer)}`;
}

/** Seals `text` for `context` (see `sealedFor`) under the current key. */
export async function encrypt(secrets: KeySecrets, context: string, text: string) {
  return seal(currentKey(await keyRing(secrets)), context, text);
}

export const isEncrypted = (stored: string) => stored.startsWith(V2) || stored.startsWith(V1);

type Opened = { keyId: string | null; bytes: Uint8Array };

function parseStored(stored: string): Opened {
  const v2 = /^enc:v2:([0-9a-f]{8}):([A-Za-z0-9+/]+={0,2})$/.exec(stored);
  const body = v2 ? (v2[2] ?? null) : stored.startsWith(V1) ? stored.slice(V1.length) : null;
  let bytes: Uint8Array | null = null;
  try {
    if (body !== null) bytes = decodeBase64(body);
  } catch {}
  if (!bytes || bytes.byteLength <= IV_BYTES) {
    throw new EncryptionError("not_encrypted", "not an encrypted value");
  }
  return { keyId: v2?.[1] ?? null, bytes };
}

async function open(key: RingKey, bytes: Uint8Array, context: string | null): Promise<string> {
  const plain = await crypto.subtle.decrypt(
    {
      name: "AES-GCM",
      iv: bytes.slice(0, IV_BYTES),
      ...(context === null ? {} : { additionalData: utf8(context) }),
    },
    key.key,
    bytes.slice(IV_BYTES),
  );
  return new TextDecoder().decode(plain);
}

async function openWith(ring: KeyRing, context: string, stored: string) {
  const { keyId, bytes } = parseStored(stored);
  if (keyId === null) {
    // v1: sealed before key ids, without a context.
    if (ring.keys.length === 0) throw unconfigured(ring);
    for (const key of ring.keys) {
      try {
        return { keyId, text: await open(key, bytes, null) };
      } catch {}
    }
    throw new EncryptionError(
      "not_authentic",
      "an enc:v1 value that no key of ENCRYPTION_KEY/ENCRYPTION_KEYS_PREVIOUS opens",
    );
  }
  const key = ring.keys.find((k) => k.id === keyId);
  if (!key) {
    // No key at all is the cause to name first: nothing can be opened.
    if (!ring.current) throw unconfigured(ring);
    throw new EncryptionError(
      "unknown_key",
      `key id ${keyId} is not in ENCRYPTION_KEY/ENCRYPTION_KEYS_PREVIOUS`,
      keyId,
    );
  }
  try {
    return { keyId, text: await open(key, bytes, context) };
  } catch {
    throw new EncryptionError(
      "not_authentic",
      `the value does not authenticate under key id ${keyId} (altered, or sealed for another row or purpose)`,
      keyId,
    );
  }
}

/** Opens a value sealed for `context`, with whichever key of the ring sealed it. */
export async function decrypt(secrets: KeySecrets, context: string, stored: string) {
  return (await openWith(await keyRing(secrets), context, stored)).text;
}

/** The value sealed again under the current key (and upgraded to v2), or null when it already is. */
export async function reencrypt(
  secrets: KeySecrets,
  context: string,
  stored: string,
): Promise<string | null> {
  const ring = await keyRing(secrets);
  const current = currentKey(ring);
  if (parseStored(stored).keyId === current.id) return null;
  return seal(current, context, (await openWith(ring, context, stored)).text);
}
