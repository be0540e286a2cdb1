import { ApiError, docUrlFor, ERRORS, type ErrorCode } from "../errors";
import type { Version } from "../versions/types";
import { HEADERS, PARAMETERS, SECURITY_SCHEMES } from "./components";
import type { OpenApiDocument } from "./document";

type PathItem = NonNullable<OpenApiDocument["paths"]>[string];
type Operation = NonNullable<PathItem["get"]>;
type Parameter = NonNullable<Operation["parameters"]>[number];

const HTTP_METHODS = ["get", "put", "post", "delete", "patch"] as const;
type HttpMethod = (typeof HTTP_METHODS)[number];

// Idempotency applies to the methods that carry a body (see API.md).
const WRITES = new Set<HttpMethod>(["post", "put", "patch"]);

const ref = (kind: "headers" | "parameters", name: string) => ({
  $ref: `#/components/${kind}/${name}`,
});

// The `param` each code is most often about, so examples read like real responses.
const EXAMPLE_PARAM: Partial<Record<ErrorCode, string>> = {
  plan_group_not_found: "id",
  plan_not_found: "planId",
  api_key_not_found: "id",
  webhook_not_found: "id",
  event_not_found: "id",
  duplicate: "planId",
  limit_exceeded: "id",
};

/** One realistic error body per code, in `version`'s shape: the document's error examples. */
function errorExamples(codes: readonly ErrorCode[], version: Version, docsBase: string) {
  return Object.fromEntries(
    codes.map((code) => {
      const err =
        code === "validation_error"
          ? ApiError.validation([{ field: "name", message: "must contain at least 1 character" }])
          : new ApiError(code, EXAMPLE_PARAM[code] ? { param: EXAMPLE_PARAM[code] } : {});
      const value = version.error.body(err, docUrlFor(docsBase, code));
      return [code, { summary: code, description: ERRORS[code].meaning, value }];
    }),
  );
}

/** The response description for a set of codes sharing one status. */
const describeCodes = (codes: readonly ErrorCode[]) =>
  codes.map((c) => `\`${c}\`: ${ERRORS[c].meaning}`).join("\n\n");

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
  // Every /api route validates at least its Commet-Version header.
  const codes: ErrorCode[] = ["validation_error", "unauthorized", "rate_limited", "internal_error"];
  if (op.requestBody) codes.push("invalid_json", "unsupported_media_type", "payload_too_large");
  if (WRITES.has(method)) {
    codes.push("idempotency_key_mismatch", "idempotency_in_progress", "idempotency_unavailable");
  }
  return codes;
}

function errorResponses(codes: Set<ErrorCode>, version: Version, docsBase: string) {
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
            examples: errorExamples(list, version, docsBase),
          },
        },
      },
    ]),
  );
}

function responseHeaders(status: string, method: HttpMethod, isApi: boolean) {
  const headers: Record<string, { $ref: string }> = { "x-request-id": ref("headers", "RequestId") };
  if (isApi) headers["Commet-Version"] = ref("headers", "CommetVersion");
  // Auth and rate limiting answer before a key is looked up; 5xx are never stored.
  if (isApi && WRITES.has(method) && !["401", "429"].includes(status) && !status.startsWith("5")) {
    headers["Idempotent-Replayed"] = ref("headers", "IdempotentReplayed");
  }
  if (isApi && status.startsWith("2")) headers["x-d1-bookmark"] = ref("headers", "D1Bookmark");
  if (status === "409") headers["Retry-After"] = ref("headers", "RetryAfter");
  if (status === "429") {
    headers["Retry-After"] = ref("headers", "RetryAfter");
    headers["RateLimit-Limit"] = ref("headers", "RateLimitLimit");
    headers["RateLimit-Remaining"] = ref("headers", "RateLimitRemaining");
    headers["RateLimit-Reset"] = ref("headers", "RateLimitReset");
  }
  return headers;
}

function decorateOperation(
  method: HttpMethod,
  path: string,
  op: Operation,
  own: readonly ErrorCode[],
  version: Version,
  docsBase: string,
) {
  const isApi = path.startsWith("/api/");
  const responses = op.responses ?? {};
  const codes = new Set<ErrorCode>([...(isApi ? sharedCodes(method, op) : []), ...own]);
  for (const [status, response] of errorResponses(codes, version, docsBase)) {
    responses[status] = response;
  }

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

/**
 * Adds what middleware does to every route, which operations do not repeat:
 * the error responses (the operation's own codes, `codesOf`, plus those of
 * the middleware in front of it) in `version`'s error shape, headers,
 * header parameters and security.
 */
export function decorate(
  generated: OpenApiDocument,
  version: Version,
  codesOf: (operationId: string) => readonly ErrorCode[],
  docsBase: string,
): OpenApiDocument {
  // The generator may share objects with the route registry: never edit those.
  const doc = structuredClone(generated);
  for (const { path, method, op } of operations(doc)) {
    decorateOperation(method, path, op, codesOf(op.operationId ?? ""), version, docsBase);
  }
  doc.components = {
    ...doc.components,
    securitySchemes: SECURITY_SCHEMES,
    headers: HEADERS,
    parameters: { ...doc.components?.parameters, ...PARAMETERS },
  };
  return doc;
}
