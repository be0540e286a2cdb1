import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import type { ErrorCode } from "../errors";
import { healthRoute } from "../health";
import type { Operation } from "../operation/define";
import { OPERATIONS } from "../operations";
import { VERSIONS } from "../versions";
import type { ApiVersion } from "../versions/ids";
import type { RouteRef, Version } from "../versions/types";
import { decorate } from "./decorate";
import type { OpenApiDocument } from "./document";

export type { OpenApiDocument };

import { describeVersion } from "./description";

type DocumentOptions = {
  /** Origin the API is served from, for `servers`. */
  serverUrl: string;
  /** Base of every `doc_url`. */
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
  {
    name: "API keys",
    description:
      "The keys of your organization and mode, as the command line sees them too. A key's secret is shown once, when it is created.",
  },
  {
    name: "Webhooks",
    description:
      "Endpoints that receive a signed POST for every change to a plan or a plan group, and the log of what was sent to each (30 days): retry a delivery, or recover the events an endpoint missed.",
  },
  {
    name: "Events",
    description:
      "Every change to a plan or a plan group of the last 30 days, as its webhook payload describes it, listed as soon as the write that made it has answered.",
  },
  { name: "Health", description: "For load balancers; no authentication." },
];

/** The paths `version` documents for `op`: its own, unless the version names others. */
export const pathsIn = (version: Version, op: Operation): RouteRef[] =>
  version.routes[op.route.operationId] ?? [{ method: op.route.method, path: op.route.path }];

/**
 * The OpenAPI 3.1 document of one API version, from the same zod schemas that
 * validate requests and that the version presents responses with, completed
 * with what middleware adds to every route: auth, headers and shared errors.
 */
export function buildOpenApiDocument(version: Version, opts: DocumentOptions): OpenApiDocument {
  const doc = new OpenAPIHono<AppEnv>();
  doc.openAPIRegistry.registerPath(healthRoute);
  doc.openAPIRegistry.register("Error", version.error.schema);
  const codes = new Map<string, readonly ErrorCode[]>();
  for (const op of OPERATIONS) {
    const shape = version.shapes["list" in op.answer ? op.answer.list : op.answer.one];
    const body =
      "list" in op.answer ? version.list.schema(shape.schema) : version.one.schema(shape.schema);
    for (const { method, path } of pathsIn(version, op)) {
      codes.set(op.route.operationId, op.errors);
      doc.openAPIRegistry.registerPath({
        ...op.route,
        method,
        path,
        responses: {
          [op.status]: {
            description: op.description,
            content: { "application/json": { schema: body } },
          },
        },
      });
    }
  }
  const generated = doc.getOpenAPI31Document({
    openapi: "3.1.0",
    info: { title: "Plan groups API", version: version.id, description: describeVersion(version) },
    servers: [{ url: opts.serverUrl, description: "This deployment" }],
    tags: TAGS,
    security: [{ ApiKey: [] }, { Bearer: [] }],
  });
  return decorate(generated, version, (id) => codes.get(id) ?? [], opts.errorDocsBase);
}

const cache = new Map<string, OpenApiDocument>();

/** Generating walks every schema, so each isolate builds a document once per version and origin. */
export function openApiDocument(version: ApiVersion, opts: DocumentOptions) {
  const key = `${version} ${opts.serverUrl} ${opts.errorDocsBase}`;
  let doc = cache.get(key);
  if (!doc) {
    doc = buildOpenApiDocument(VERSIONS[version], opts);
    if (cache.size > 8) cache.clear();
    cache.set(key, doc);
  }
  return doc;
}
