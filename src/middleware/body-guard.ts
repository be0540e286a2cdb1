import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { inspectJson } from "../lib/json-walk";

export const MAX_BODY_BYTES = 64 * 1024;
/** Containers deep, the top-level object being 1; no field of ours needs more. */
export const MAX_JSON_DEPTH = 20;
const WITH_BODY = new Set(["POST", "PUT", "PATCH"]);

function isJsonContentType(value: string | undefined): boolean {
  const type = value?.split(";")[0]?.trim().toLowerCase();
  return type === "application/json";
}

/**
 * Transport rules for request bodies, before any schema sees them: JSON
 * content type (415), at most 64 KiB (413), a JSON object nested at most
 * MAX_JSON_DEPTH deep (400 invalid_json), holding only well-formed Unicode and
 * no `__proto__` keys (400 validation_error naming the field). The parsed body
 * is handed to the validator through Hono's body cache, so it is parsed once.
 */
export function bodyGuard() {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (!WITH_BODY.has(c.req.method)) return next();
    if (!isJsonContentType(c.req.header("content-type"))) {
      throw new ApiError("unsupported_media_type");
    }
    const declared = Number(c.req.header("content-length") ?? "0");
    if (declared > MAX_BODY_BYTES) throw new ApiError("payload_too_large");
    const bytes = await c.req.arrayBuffer();
    if (bytes.byteLength > MAX_BODY_BYTES) throw new ApiError("payload_too_large");
    let body: unknown;
    try {
      body = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes));
    } catch {
      throw new ApiError("invalid_json");
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new ApiError("invalid_json");
    }
    rejectUnstorable(body);
    c.req.bodyCache.json = Promise.resolve(body);
    await next();
  });
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
