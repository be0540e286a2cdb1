/** At most this much of a receiver's answer is kept with the attempt. */
const EXCERPT_CHARS = 256;
/** Bytes read from an answer for the excerpt; the rest is never downloaded. */
const EXCERPT_BYTES = 1024;
/** Error texts are kept as short. */
const ERROR_CHARS = 256;

export type PostOutcome = {
  ok: boolean;
  /** The receiver's status, or null when it never answered. */
  statusCode: number | null;
  durationMs: number;
  /** Why the attempt failed when the status does not say it all. */
  error: string | null;
  excerpt: string | null;
};

/** The start of an answer's body as text, then the connection is let go. */
async function excerptOf(res: Response): Promise<string | null> {
  if (!res.body) return null;
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    while (size < EXCERPT_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.byteLength;
    }
  } catch {
    // A body cut off (or timed out) midway: keep what arrived.
  } finally {
    reader.cancel().catch(() => {});
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  const text = new TextDecoder().decode(bytes.subarray(0, EXCERPT_BYTES));
  return text === "" ? null : text.slice(0, EXCERPT_CHARS);
}

function describe(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && err.name === "TimeoutError") {
    return `no answer within ${timeoutMs / 1000} s`;
  }
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return text.slice(0, ERROR_CHARS);
}

/**
 * One POST of a signed body. A 2xx is a success; any other status, a
 * redirect (never followed), a network error or no answer within `timeoutMs`
 * is a failed attempt. Never throws.
 */
export async function postEvent(
  url: string,
  body: string,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<PostOutcome> {
  const started = Date.now();
  const elapsed = () => Math.max(0, Date.now() - started);
  try {
    const res = await fetch(url, {
      method: "POST",
      headers,
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(timeoutMs),
    });
    const excerpt = await excerptOf(res);
    const ok = res.status >= 200 && res.status < 300;
    const redirect = res.status >= 300 && res.status < 400;
    return {
      ok,
      statusCode: res.status,
      durationMs: elapsed(),
      error: redirect ? "redirects are not followed" : null,
      excerpt,
    };
  } catch (err) {
    return {
      ok: false,
      statusCode: null,
      durationMs: elapsed(),
      error: describe(err, timeoutMs),
      excerpt: null,
    };
  }
}
