import { ERRORS, type ErrorCode } from "../errors";
import { describeCodes, errorExamples } from "../lib/openapi";
import { HEADERS, PARAMETERS, SECURITY_SCHEMES } from "./components";
import type { OpenApiDocument } from "./openapi";

type PathItem = NonNullable<OpenApiDocument["paths"]>[string];
type Operation = NonNullable<PathItem["get"]>;
type Parameter = NonNullable<Operation["parameters"]>[number];

export const HTTP_METHODS = ["get", "put", "post", "delete", "patch"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

// Idempotency applies to the methods that carry a body (see API.md).
const WRITES = new Set<HttpMethod>(["post", "put", "patch"]);

const ref = (kind: "headers" | "parameters", name: string) => ({
  $ref: `#/components/${kind}/${name}`,
});

const isErrorStatus = (status: string) => /^[45]\d\d$/.test(status);
const isCode = (code: string): code is ErrorCode => Object.hasOwn(ERRORS, code);

/** Every operation of the document, with where it lives. */
export function operations(doc: OpenApiDocument) {
  const out: { path: string; method: HttpMethod; op: Operation }[] = [];
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (op) out.push({ path, method, op });
    }
  }
  return out;
}

/** The codes an error response documents, read back from its examples. */
export function responseCodes(response: unknown): string[] {
  if (typeof response !== "object" || response === null || !("content" in response)) return [];
  const content = response.content as Record<string, { examples?: object } | undefined>;
  return Object.keys(content["application/json"]?.examples ?? {});
}

/**
 * The codes the middleware in front of every /api route can answer with, so a
 * route's own `errorResponses` only has to name the codes of its handler.
 */
function sharedCodes(method: HttpMethod, op: Operation): ErrorCode[] {
  const codes: ErrorCode[] = ["unauthorized", "rate_limited", "internal_error"];
  if (op.parameters?.length || op.requestBody) codes.push("validation_error");
  if (op.requestBody) codes.push("invalid_json", "unsupported_media_type", "payload_too_large");
  if (WRITES.has(method)) codes.push("idempotency_key_mismatch", "idempotency_in_progress");
  return codes;
}

function errorResponses(codes: Set<ErrorCode>, docsBase: string) {
  const byStatus = new Map<string, ErrorCode[]>();
  for (const code of codes) {
    const status = String(ERRORS[code].status);
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return new Map(
    [...byStatus].map(([status, list]) => [
      status,
      {
        description: describeCodes(list),
        content: {
          "application/json": {
            schema: { $ref: "#/components/schemas/Error" },
            examples: errorExamples(list, docsBase),
          },
        },
      },
    ]),
  );
}

function responseHeaders(status: string, method: HttpMethod, isApi: boolean) {
  const headers: Record<string, { $ref: string }> = { "x-request-id": ref("headers", "RequestId") };
  // Auth and rate limiting answer before a key is looked up; 5xx are never stored.
  if (isApi && WRITES.has(method) && !["401", "429"].includes(status) && !status.startsWith("5")) {
    headers["Idempotent-Replayed"] = ref("headers", "IdempotentReplayed");
  }
  if (isApi && status.startsWith("2")) headers["x-d1-bookmark"] = ref("headers", "D1Bookmark");
  if (status === "429") {
    headers["Retry-After"] = ref("headers", "RetryAfter");
    headers["RateLimit-Limit"] = ref("headers", "RateLimitLimit");
    headers["RateLimit-Remaining"] = ref("headers", "RateLimitRemaining");
    headers["RateLimit-Reset"] = ref("headers", "RateLimitReset");
  }
  return headers;
}

function decorateOperation(method: HttpMethod, path: string, op: Operation, docsBase: string) {
  const isApi = path.startsWith("/api/");
  const responses = op.responses ?? {};
  const codes = new Set<ErrorCode>(isApi ? sharedCodes(method, op) : []);
  for (const [status, response] of Object.entries(responses)) {
    if (!isErrorStatus(status)) continue;
    const found = responseCodes(response);
    if (found.length === 0) {
      throw new Error(`${op.operationId}: error response ${status} names no error code`);
    }
    for (const code of found) {
      if (!isCode(code)) throw new Error(`${op.operationId}: unknown error code ${code}`);
      codes.add(code);
    }
    delete responses[status];
  }
  for (const [status, response] of errorResponses(codes, docsBase)) responses[status] = response;

  const ordered = Object.fromEntries(
    Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)),
  );
  for (const [status, response] of Object.entries(ordered)) {
    if ("$ref" in response) continue;
    response.headers = { ...response.headers, ...responseHeaders(status, method, isApi) };
  }
  op.responses = ordered;

  const shared: (keyof typeof PARAMETERS)[] = ["RequestId"];
  if (isApi) shared.unshift("CommetVersion", "D1Bookmark");
  if (isApi && WRITES.has(method)) shared.unshift("IdempotencyKey");
  // A route that declares one of these headers itself keeps its own definition.
  const declared = new Set(
    (op.parameters ?? []).map((p) => ("name" in p ? p.name.toLowerCase() : "")),
  );
  const params: Parameter[] = [...(op.parameters ?? [])];
  for (const name of shared) {
    if (!declared.has(PARAMETERS[name].name.toLowerCase())) params.push(ref("parameters", name));
  }
  op.parameters = params;
  // Only /api is behind the key; the rest (health, docs) is public.
  if (!isApi) op.security = [];
}

/** Adds what middleware does to every route, which route definitions do not repeat. */
export function decorate(generated: OpenApiDocument, docsBase: string): OpenApiDocument {
  // The generator may share objects with the route registry: never edit those.
  const doc = structuredClone(generated);
  for (const { path, method, op } of operations(doc)) decorateOperation(method, path, op, docsBase);
  doc.components = {
    ...doc.components,
    securitySchemes: SECURITY_SCHEMES,
    headers: HEADERS,
    parameters: { ...doc.components?.parameters, ...PARAMETERS },
  };
  return doc;
}
