import { decodeBase64, encodeBase64 } from "hono/utils/encode";
import { keyIdOf } from "../../src/lib/key-ring";

/** A fresh ENCRYPTION_KEY value: base64 of 32 random bytes. */
export const newEncryptionKey = () =>
  encodeBase64(crypto.getRandomValues(new Uint8Array(32)).buffer);

/** The id the ring gives a key (what `enc:v2:<id>:` names). */
export const idOfKey = (key: string) => keyIdOf(decodeBase64(key));

/** A value as the service sealed it before key rings: `enc:v1:`, no key id, no context. */
export async function sealV1(key: string, text: string): Promise<string> {
  const cryptoKey = await crypto.subtle.importKey("raw", decodeBase64(key), "AES-GCM", false, [
    "encrypt",
  ]);
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv },
    cryptoKey,
    new TextEncoder().encode(text),
  );
  const out = new Uint8Array(12 + sealed.byteLength);
  out.set(iv);
  out.set(new Uint8Array(sealed), 12);
  return `enc:v1:${encodeBase64(out.buffer)}`;
}
