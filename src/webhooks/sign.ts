import { decodeBase64, encodeBase64 } from "hono/utils/encode";

/**
 * Webhook signatures (API.md, Webhooks). Every delivery carries two:
 * `x-commet-signature`, what `@commet/node`'s `webhooks.verify` checks, and
 * the Standard Webhooks headers, so any Standard Webhooks library verifies it too.
 */

export const SECRET_PREFIX = "whsec_";

/** A new endpoint's signing secret: `whsec_` + base64 of 32 random bytes. */
export function newSigningSecret(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return SECRET_PREFIX + encodeBase64(bytes.buffer);
}

async function hmacSha256(key: BufferSource, message: string): Promise<ArrayBuffer> {
  const cryptoKey = await crypto.subtle.importKey(
    "raw",
    key,
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return crypto.subtle.sign("HMAC", cryptoKey, new TextEncoder().encode(message));
}

const hex = (buffer: ArrayBuffer) =>
  [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");

/** `x-commet-signature`: lowercase hex HMAC-SHA256 of the raw body, keyed with the whole secret string. */
export async function signCommet(secret: string, body: string): Promise<string> {
  return hex(await hmacSha256(new TextEncoder().encode(secret), body));
}

/**
 * `webhook-signature`: `v1,` + base64 HMAC-SHA256 of `id.timestamp.body`, keyed
 * with the bytes the secret's base64 (after `whsec_`) stands for, as the
 * Standard Webhooks specification says.
 */
export async function signStandard(
  secret: string,
  id: string,
  timestamp: number,
  body: string,
): Promise<string> {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const mac = await hmacSha256(decodeBase64(encoded), `${id}.${timestamp}.${body}`);
  return `v1,${encodeBase64(mac)}`;
}

/** Every header of one POST of event `eventId`, signed at `timestamp` (Unix seconds). */
export async function deliveryHeaders(
  secret: string,
  eventId: string,
  timestamp: number,
  body: string,
): Promise<Record<string, string>> {
  const [commet, standard] = await Promise.all([
    signCommet(secret, body),
    signStandard(secret, eventId, timestamp, body),
  ]);
  return {
    "content-type": "application/json",
    "x-commet-signature": commet,
    "x-commet-event-id": eventId,
    "webhook-id": eventId,
    "webhook-timestamp": String(timestamp),
    "webhook-signature": standard,
  };
}
