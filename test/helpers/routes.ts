import { z } from "zod";
import app from "../../src/app";
import { buildOpenApiDocument } from "../../src/docs/openapi";

/**
 * Every API operation, read from the OpenAPI registry that `createRoute`
 * fills: a route registered in src/ is fuzzed, isolation-checked and schema
 * checked by being registered, with nobody having to list it here.
 */
export type ApiRoute = {
  operationId: string;
  /** Upper case, as sent on the wire. */
  method: string;
  /** OpenAPI style: `/api/v1/plan-groups/{id}`. */
  path: string;
  params: string[];
  body: z.ZodObject | null;
  bodyFields: string[];
  query: z.ZodObject | null;
  queryFields: string[];
  /** Documented statuses: the response schema and the description (which lists error codes). */
  responses: Map<number, { schema: z.ZodType | null; description: string }>;
  /** The request body example from the OpenAPI document, if the route has one. */
  example: Record<string, unknown> | null;
};

type JsonContent = { content?: Record<string, { schema?: unknown }> };
type LooseRoute = {
  method: string;
  path: string;
  operationId?: string;
  request?: { params?: unknown; query?: unknown; body?: JsonContent };
  responses: Record<string, JsonContent & { description?: string }>;
};

const zodObject = (value: unknown) => (value instanceof z.ZodObject ? value : null);
const zodType = (value: unknown) => (value instanceof z.ZodType ? value : null);
const jsonSchemaOf = (part: JsonContent | undefined) => part?.content?.["application/json"]?.schema;

type DocOperation = {
  requestBody?: { content?: Record<string, { schema?: { example?: unknown; $ref?: string } }> };
};

type DocResponse = { description?: string };
type PublishedDoc = {
  paths: Record<
    string,
    Record<string, DocOperation & { operationId?: string; responses?: Record<string, DocResponse> }>
  >;
  components?: { schemas?: Record<string, { example?: unknown }> };
};

/**
 * The published document (after the central decoration that adds the errors
 * every route shares), so checks hold routes to what clients are told.
 */
function publishedDocument(): PublishedDoc {
  return buildOpenApiDocument(app, {
    serverUrl: "http://api.test",
    errorDocsBase: "http://api.test/errors",
  }) as unknown as PublishedDoc;
}

type Published = {
  examples: Map<string, Record<string, unknown>>;
  responses: Map<string, Record<string, DocResponse>>;
};

function published(): Published {
  const doc = publishedDocument();
  const examples = new Map<string, Record<string, unknown>>();
  const responses = new Map<string, Record<string, DocResponse>>();
  for (const operations of Object.values(doc.paths)) {
    for (const op of Object.values(operations)) {
      if (!op.operationId) continue;
      responses.set(op.operationId, op.responses ?? {});
      let schema = op.requestBody?.content?.["application/json"]?.schema;
      const ref = schema?.$ref?.split("/").at(-1);
      if (ref) schema = doc.components?.schemas?.[ref];
      const example = schema?.example;
      if (example && typeof example === "object") {
        examples.set(op.operationId, example as Record<string, unknown>);
      }
    }
  }
  return { examples, responses };
}

function toApiRoute(route: LooseRoute, doc: Published): ApiRoute {
  const query = zodObject(route.request?.query);
  const body = zodObject(jsonSchemaOf(route.request?.body));
  const operationId = route.operationId ?? `${route.method} ${route.path}`;
  const documented = doc.responses.get(operationId) ?? {};
  return {
    operationId,
    method: route.method.toUpperCase(),
    path: route.path,
    params: [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string),
    body,
    bodyFields: body ? Object.keys(body.shape) : [],
    query,
    queryFields: query ? Object.keys(query.shape) : [],
    responses: new Map(
      Object.entries(documented).map(([status, res]) => [
        Number(status),
        {
          schema: zodType(jsonSchemaOf(route.responses[status])),
          description: res.description ?? "",
        },
      ]),
    ),
    example: doc.examples.get(operationId) ?? null,
  };
}

function collect(): ApiRoute[] {
  const doc = published();
  const out: ApiRoute[] = [];
  for (const def of app.openAPIRegistry.definitions) {
    if (def.type !== "route") continue;
    const route = def.route as unknown as LooseRoute;
    if (route.path.startsWith("/api/")) out.push(toApiRoute(route, doc));
  }
  return out;
}

export const API_ROUTES: readonly ApiRoute[] = collect();

/** Percent-encodes every byte but the unreserved ones; lone surrogates become U+FFFD. */
export function encodeSegment(text: string): string {
  let out = "";
  for (const byte of new TextEncoder().encode(text)) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-._~]/.test(ch)
      ? ch
      : `%${byte.toString(16).toUpperCase().padStart(2, "0")}`;
  }
  return out;
}

/** The concrete path of `route` with each `{param}` replaced by an already encoded segment. */
export function fillPath(route: ApiRoute, segments: Record<string, string>): string {
  return route.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const segment = segments[name];
    if (segment === undefined) throw new Error(`no value for path param ${name}`);
    return segment;
  });
}

/** The path under `/api/v1`, as the `client()` helpers take it. */
export const clientPath = (path: string) => path.replace(/^\/api\/v1/, "");

export type IdKind = "group" | "plan";

/**
 * What kind of object an ID-carrying field names, from its name and the
 * route's resource. Null for fields that carry no ID; a new ID-looking field
 * this does not know makes the isolation matrix fail until it is taught here.
 */
export function idKind(route: ApiRoute, field: string): IdKind | null {
  if (field === "planGroupId") return "group";
  if (field === "planId" || field === "planIds" || field === "idOrCode") return "plan";
  if (field === "id") {
    if (route.path.startsWith("/api/v1/plan-groups")) return "group";
    if (route.path.startsWith("/api/v1/plans")) return "plan";
  }
  return null;
}

/** Field names that look like they carry an ID. */
export const looksLikeId = (field: string) => /(^id|Id|Ids|IdOrCode)$/.test(field);
