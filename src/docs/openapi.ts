import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { decorate } from "./decorate";

export type OpenApiDocument = ReturnType<OpenAPIHono<AppEnv>["getOpenAPI31Document"]>;

/** The wire version SDKs pin with `commet-version`; the document's `info.version`. */
export const API_VERSION = "2026-07-11";

const DESCRIPTION = `Plan groups organize the plans of a billing catalog into ordered sets (for example the plans shown on a pricing page).

**Authentication.** Send an API key in \`x-api-key\` (or as \`Authorization: Bearer ck_...\`). A \`ck_test_\` key works on test-mode objects and a \`ck_live_\` key on live-mode ones; each organization and mode is a separate world, and an ID from another one answers 404.

**Envelope.** A success is \`{ "success": true, "data": ... }\`; lists add \`hasMore\` and, when it is true, \`nextCursor\`. An error is \`{ "success": false, "error": { type, code, message, param, details, doc_url } }\`: branch on \`code\`, and follow \`doc_url\` to the error reference at [/errors](/errors).

**Requests.** Bodies are JSON objects sent with \`Content-Type: application/json\`, at most 64 KiB; unknown fields are rejected so typos surface. A path that does not exist answers 404 \`not_found\`, and a path that exists with another method 405 \`method_not_allowed\` with an \`Allow\` header.

**Pagination.** \`limit\` (1-100, default 20) and \`cursor\` (the previous page's \`nextCursor\`). Lists are newest first.

**Idempotency.** POST, PUT and PATCH accept an \`Idempotency-Key\`. Retrying with the same key within 24 hours replays the first response (with \`Idempotent-Replayed: true\`) instead of applying the write twice.

**Rate limits.** Each key has an allowance per window (600 requests per 60 s on the standard tier). Past it, requests get 429 \`rate_limited\` with \`Retry-After\`. A client address that fails authentication more than 100 times in 60 s gets the same 429 until the window ends.

**Request IDs.** Every response carries \`x-request-id\`; quote it when you contact support.`;

export type DocumentOptions = {
  /** Origin the API is served from, for `servers`. */
  serverUrl: string;
  /** Base of every `doc_url`, as in the worker's `ERROR_DOCS_BASE_URL`. */
  errorDocsBase: string;
};

const TAGS = [
  {
    name: "Plan groups",
    description:
      "Ordered sets of plans. A plan is in at most one group; a group holds at most 100 plans, always at positions `0..n-1`.",
  },
  {
    name: "Plans",
    description:
      "The catalog that groups organize. Deleting a plan is a soft delete that frees its code.",
  },
  { name: "Health", description: "For load balancers; no authentication." },
];

/**
 * The OpenAPI 3.1 document, generated from the routes registered on the root
 * app (the same zod schemas that validate requests), then completed with what
 * middleware adds to every route: auth, headers and shared error codes.
 */
export function buildOpenApiDocument(
  app: OpenAPIHono<AppEnv>,
  opts: DocumentOptions,
): OpenApiDocument {
  const doc = app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: {
      title: "Plan groups API",
      version: API_VERSION,
      description: DESCRIPTION,
    },
    servers: [{ url: opts.serverUrl, description: "This deployment" }],
    tags: TAGS,
    security: [{ ApiKey: [] }, { Bearer: [] }],
  });
  return decorate(doc, opts.errorDocsBase);
}

const cache = new Map<string, OpenApiDocument>();

/** Generating walks every schema, so each isolate builds a document once per origin. */
export function openApiDocument(app: OpenAPIHono<AppEnv>, opts: DocumentOptions) {
  const key = `${opts.serverUrl} ${opts.errorDocsBase}`;
  let doc = cache.get(key);
  if (!doc) {
    doc = buildOpenApiDocument(app, opts);
    if (cache.size > 8) cache.clear();
    cache.set(key, doc);
  }
  return doc;
}
