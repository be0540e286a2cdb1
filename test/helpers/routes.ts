import { z } from "zod";
import app from "../../src/app";

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

function bodyExamples(): Map<string, Record<string, unknown>> {
  const doc = app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: { title: "test", version: "test" },
  }) as unknown as {
    paths: Record<string, Record<string, DocOperation & { operationId?: string }>>;
    components?: { schemas?: Record<string, { example?: unknown }> };
  };
  const examples = new Map<string, Record<string, unknown>>();
  for (const operations of Object.values(doc.paths)) {
    for (const op of Object.values(operations)) {
      let schema = op.requestBody?.content?.["application/json"]?.schema;
      const ref = schema?.$ref?.split("/").at(-1);
      if (ref) schema = doc.components?.schemas?.[ref];
      const example = schema?.example;
      if (op.operationId && example && typeof example === "object") {
        examples.set(op.operationId, example as Record<string, unknown>);
      }
    }
  }
  return examples;
}

function toApiRoute(route: LooseRoute, examples: Map<string, Record<string, unknown>>): ApiRoute {
  const query = zodObject(route.request?.query);
  const body = zodObject(jsonSchemaOf(route.request?.body));
  const operationId = route.operationId ?? `${route.method} ${route.path}`;
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
      Object.entries(route.responses).map(([status, res]) => [
        Number(status),
        { schema: zodType(jsonSchemaOf(res)), description: res.description ?? "" },
      ]),
    ),
    example: examples.get(operationId) ?? null,
  };
}

function collect(): ApiRoute[] {
  const examples = bodyExamples();
  const out: ApiRoute[] = [];
  for (const def of app.openAPIRegistry.definitions) {
    if (def.type !== "route") continue;
    const route = def.route as unknown as LooseRoute;
    if (route.path.startsWith("/api/")) out.push(toApiRoute(route, examples));
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
