import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { decorate } from "./decorate";
import { DESCRIPTION } from "./description";

export type OpenApiDocument = ReturnType<OpenAPIHono<AppEnv>["getOpenAPI31Document"]>;

/** The wire version SDKs pin with `commet-version`; the document's `info.version`. */
export const API_VERSION = "2026-07-11";

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
