/**
 * Checks a webhook delivery's two signatures (docs/webhooks.md, "Verifying
 * a delivery") with WebCrypto only, so the same code runs in Node 20, in a
 * Worker, in Deno or in a browser:
 *
 * - `x-commet-signature`: lowercase hex HMAC-SHA256 of the raw body, keyed
 *   with the whole secret string (`whsec_...`), as `@commet/node`'s
 *   `webhooks.verify` checks it;
 * - Standard Webhooks: `webhook-signature` holds `v1,<base64>` HMAC-SHA256s
 *   of `<webhook-id>.<webhook-timestamp>.<body>`, keyed with the bytes of the
 *   base64 after `whsec_`; `webhook-timestamp` (Unix seconds) must be within
 *   the tolerance of now, so a captured delivery cannot be replayed later.
 *
 * A delivery passes only if both hold. Verify the raw body, before parsing
 * it: re-serialized JSON is not the same bytes.
 */

/** Five minutes either way, as Standard Webhooks libraries allow. */
export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

/** A request's header by lower-case name (`(name) => request.headers.get(name)` for a `Request`). */
export type HeaderLookup = (name: string) => string | null | undefined;

export type Verdict =
  | { ok: true }
  /** 400: not a delivery at all (a header missing or malformed); 401: not signed with this secret, or too old. */
  | { ok: false; status: 400 | 401; reason: string };

type Bytes = Uint8Array<ArrayBuffer>;

const encoder = new TextEncoder();
const utf8 = (text: string): Bytes => new Uint8Array(encoder.encode(text));

function hmacKey(secret: Bytes): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", secret, { name: "HMAC", hash: "SHA-256" }, false, [
    "verify",
  ]);
}

/** `crypto.subtle.verify` compares in constant time: no timing tells how much of a guess was right. */
const verifies = async (key: CryptoKey, mac: Bytes, message: Bytes) =>
  crypto.subtle.verify("HMAC", key, mac, message);

function fromHex(hex: string): Bytes | null {
  if (!/^[0-9a-f]{64}$/.test(hex)) return null;
  return Uint8Array.from(hex.match(/../g) ?? [], (byte) => Number.parseInt(byte, 16));
}

function fromBase64(base64: string): Bytes | null {
  try {
    return Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  } catch {
    return null;
  }
}

const concat = (...parts: Bytes[]) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
};

const reject = (status: 400 | 401, reason: string): Verdict => ({ ok: false, status, reason });

/**
 * Whether `body` (the raw bytes, or the text exactly as received) is a
 * delivery signed with `secret`, sent within `toleranceSeconds` of `now`
 * (Unix seconds).
 */
export async function verifyDelivery(
  secret: string,
  body: Uint8Array | string,
  header: HeaderLookup,
  { now = Date.now() / 1000, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS } = {},
): Promise<Verdict> {
  const raw = typeof body === "string" ? utf8(body) : new Uint8Array(body);
  const commet = header("x-commet-signature");
  const id = header("webhook-id");
  const timestamp = header("webhook-timestamp");
  const signatures = header("webhook-signature");
  if (!commet || !id || !timestamp || !signatures) {
    return reject(400, "missing x-commet-signature or a webhook-id/-timestamp/-signature header");
  }
  if (!/^\d{1,12}$/.test(timestamp)) return reject(400, "webhook-timestamp is not Unix seconds");
  if (Math.abs(now - Number(timestamp)) > toleranceSeconds) {
    return reject(
      401,
      `webhook-timestamp ${timestamp} is more than ${toleranceSeconds} s from now`,
    );
  }

  const commetMac = fromHex(commet);
  if (!commetMac) return reject(400, "x-commet-signature is not 64 lowercase hex digits");
  if (!(await verifies(await hmacKey(utf8(secret)), commetMac, raw))) {
    return reject(401, "x-commet-signature does not match: another secret, or a changed body");
  }

  const keyBytes = fromBase64(secret.startsWith("whsec_") ? secret.slice(6) : secret);
  if (!keyBytes) return reject(401, "the secret is not whsec_ + base64");
  const key = await hmacKey(keyBytes);
  const signed = concat(utf8(`${id}.${timestamp}.`), raw);
  // Space-separated: more than one while a sender rotates its secret.
  for (const entry of signatures.split(" ")) {
    const [version, base64 = ""] = entry.split(",");
    const mac = version === "v1" ? fromBase64(base64) : null;
    if (mac && (await verifies(key, mac, signed))) return { ok: true };
  }
  return reject(401, "no webhook-signature matches: another secret, or a changed id, time or body");
}
