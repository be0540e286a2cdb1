import { decodeBase64, encodeBase64 } from "hono/utils/encode";

/**
 * AES-GCM with the Worker secret ENCRYPTION_KEY (base64 of 32 bytes), for
 * what must be stored but never in plain text: webhook signing secrets and
 * stored responses that hold a secret. `v1:` leaves room for a new key.
 */
const PREFIX = "enc:v1:";

const keys = new Map<string, Promise<CryptoKey>>();

function keyFrom(secret: string | undefined): Promise<CryptoKey> {
  if (!secret) throw new Error("ENCRYPTION_KEY is not set");
  let key = keys.get(secret);
  if (!key) {
    const raw = decodeBase64(secret);
    if (raw.byteLength !== 32) throw new Error("ENCRYPTION_KEY must be base64 of 32 bytes");
    key = crypto.subtle.importKey("raw", raw, "AES-GCM", false, ["encrypt", "decrypt"]);
    keys.set(secret, key);
  }
  return key;
}

export async function encrypt(secret: string | undefined, text: string): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv },
    await keyFrom(secret),
    new TextEncoder().encode(text),
  );
  const out = new Uint8Array(iv.byteLength + sealed.byteLength);
  out.set(iv);
  out.set(new Uint8Array(sealed), iv.byteLength);
  return PREFIX + encodeBase64(out.buffer);
}

export const isEncrypted = (stored: string) => stored.startsWith(PREFIX);

export async function decrypt(secret: string | undefined, stored: string): Promise<string> {
  if (!isEncrypted(stored)) throw new Error("not an encrypted value");
  const bytes = decodeBase64(stored.slice(PREFIX.length));
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: bytes.slice(0, 12) },
    await keyFrom(secret),
    bytes.slice(12),
  );
  return new TextDecoder().decode(plain);
}
