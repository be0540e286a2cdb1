import type { Context } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { inspectJson } from "../lib/json-walk";
import { isJsonMediaType } from "../lib/media-type";

export const MAX_BODY_BYTES = 64 * 1024;
/**
 * What is read (and dropped) of a body the service will not take before it
 * answers: a response sent while the client is still uploading reaches it as
 * a reset (or, under `wrangler dev`, a 503), never as our answer.
 */
export const MAX_DRAIN_BYTES = 16 * 1024 * 1024;
/** Containers deep, the top-level object being 1; no field of ours needs more. */
export const MAX_JSON_DEPTH = 20;
const WITH_BODY = new Set(["POST", "PUT", "PATCH"]);

/** Reads what is left of a body and drops it, until it ends or `read` reaches MAX_DRAIN_BYTES. */
async function dropRest(reader: ReadableStreamDefaultReader<Uint8Array>, read: number) {
  try {
    while (read < MAX_DRAIN_BYTES) {
      const { done, value } = await reader.read();
      if (done) return;
      read += value.byteLength;
    }
    await reader.cancel();
  } catch {
    // The client went away: nobody is left to answer.
  }
}

function joined(chunks: Uint8Array[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    out.set(chunk, at);
    at += chunk.byteLength;
  }
  return out;
}

/**
 * 413 past 64 KiB, counted as the bytes arrive: a chunked body without
 * `Content-Length` is held only up to the limit, never buffered whole. A body
 * within a declared `Content-Length` (the runtime holds the body to it) is
 * left to stream. Past the limit, the rest is read and dropped (up to
 * MAX_DRAIN_BYTES) before the 413 goes out, so the client reads it.
 */
export async function limitBodySize(c: Context<AppEnv>): Promise<void> {
  const body = c.req.raw.body;
  if (!body) return;
  const declared = c.req.raw.headers.get("content-length");
  const chunked = c.req.raw.headers.has("transfer-encoding");
  if (declared !== null && !chunked && Number(declared) <= MAX_BODY_BYTES) return;
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BODY_BYTES) {
      await dropRest(reader, size);
      throw new ApiError("payload_too_large");
    }
    chunks.push(value);
  }
  c.req.raw = new Request(c.req.raw, { body: joined(chunks, size) });
}

/**
 * Any answer given before the request's body was read (a 401, a 404, a
 * body-less operation) waits until the body is read and dropped, up to
 * MAX_DRAIN_BYTES, for the same reason as the 413. Once the answer is final.
 */
export async function drainUnreadBody(c: Context<AppEnv>): Promise<void> {
  const body = c.req.raw.body;
  if (body && !body.locked && !c.req.raw.bodyUsed) await dropRest(body.getReader(), 0);
}

/** Whether the operation a request matched takes no request body (by method and route pattern). */
type TakesNoBody = (method: string, pattern: string) => boolean;

/**
 * Transport rules for the body of a POST, PUT or PATCH, before any schema
 * sees it: JSON content type (415), a JSON object nested at most
 * MAX_JSON_DEPTH deep (400 invalid_json), holding only well-formed Unicode
 * and no `__proto__` keys (400 validation_error naming the field). The parsed
 * body is handed to the validator through Hono's body cache, so it is parsed
 * once. An operation without a body (a DELETE, a POST that takes none;
 * `pattern` is the route the request matched) ignores whatever body and
 * content type it is sent: the SDKs send `{}` or nothing, as `application/json`.
 */
export async function guardBody(
  c: Context<AppEnv>,
  pattern: string | null,
  takesNoBody: TakesNoBody,
): Promise<void> {
  if (!WITH_BODY.has(c.req.method)) return;
  if (pattern !== null && takesNoBody(c.req.method, pattern)) return;
  const contentType = c.req.header("content-type");
  if (!isJsonMediaType(contentType)) throw new ApiError("unsupported_media_type");
  const bytes = await c.req.arrayBuffer();
  if (bytes.byteLength > MAX_BODY_BYTES) throw new ApiError("payload_too_large");
  const body = parseObject(bytes);
  rejectUnstorable(body);
  c.req.bodyCache.json = Promise.resolve(body);
  // The OpenAPI layer checks Content-Type again, with a pattern stricter than
  // RFC 9110 (no space before `;`, no bare `;`) that throws a bare 415: it is
  // shown the media type parsed here, so the two checks cannot disagree.
  if (contentType !== "application/json") {
    const headers = new Headers(c.req.raw.headers);
    headers.set("content-type", "application/json");
    c.req.raw = new Request(c.req.raw, { headers, body: bytes });
  }
}

/** Strict UTF-8 (a bad byte throws); one per isolate, as decoding whole bodies keeps no state. */
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

function parseObject(bytes: ArrayBuffer): object {
  if (bytes.byteLength === 0) {
    throw new ApiError("invalid_json", {
      message: "The request body is empty; send a JSON object.",
    });
  }
  let body: unknown;
  try {
    body = JSON.parse(UTF8.decode(bytes));
  } catch {
    throw new ApiError("invalid_json", {
      message: "The request body is not valid JSON (UTF-8 encoded).",
    });
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ApiError("invalid_json", {
      message: `The request body must be a JSON object, not ${jsonKind(body)}.`,
    });
  }
  return body;
}

function jsonKind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return "a string";
  if (typeof value === "number") return "a number";
  return "a boolean";
}

function rejectUnstorable(body: object) {
  const problem = inspectJson(body, MAX_JSON_DEPTH);
  if (!problem) return;
  if (problem.kind === "too_deep") {
    throw new ApiError("invalid_json", {
      message: `The request body nests deeper than ${MAX_JSON_DEPTH} levels.`,
      details: { maxDepth: MAX_JSON_DEPTH },
    });
  }
  const message =
    problem.kind === "reserved_key"
      ? "is a reserved key"
      : "must be well-formed Unicode (no unpaired surrogate)";
  throw ApiError.validation([{ field: problem.path.join("."), message }]);
}
