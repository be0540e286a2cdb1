import { decodeBase64Url, encodeBase64Url } from "hono/utils/encode";

const UTF8 = new TextEncoder();

/** Every byte's two hex digits, made once per isolate: a cursor is hashed on every page. */
const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, "0"));

export async function sha256Hex(input: string | ArrayBuffer): Promise<string> {
  const bytes = typeof input === "string" ? UTF8.encode(input) : input;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  let hex = "";
  for (const b of digest) hex += HEX[b];
  return hex;
}

/** base64url of the text's UTF-8, unpadded (Hono's encoder; cursors are URL parameters). */
export const base64UrlEncode = (text: string): string =>
  encodeBase64Url(UTF8.encode(text).buffer).replace(/=+$/, "");

/** Returns null for anything that is not valid base64url of UTF-8 text. */
export function base64UrlDecode(input: string): string | null {
  if (!/^[A-Za-z0-9_-]*$/.test(input)) return null;
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(
      decodeBase64Url(input),
    );
  } catch {
    return null;
  }
}

export const isoTime = (ms: number) => new Date(ms).toISOString();
