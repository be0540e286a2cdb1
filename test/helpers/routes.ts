import { z } from "zod";
import { buildOpenApiDocument, pathsIn } from "../../src/docs/openapi";
import type { Operation } from "../../src/operation/define";
import { routesOf } from "../../src/operation/routes";
import { OPERATIONS } from "../../src/operations";
import { VERSIONS } from "../../src/versions";
import type { ApiVersion } from "../../src/versions/ids";
import type { Version } from "../../src/versions/types";

/**
 * Every API operation, read from the operations the app mounts
 * (src/operations.ts): a route added there is fuzzed, isolation-checked and
 * schema checked by being registered, with nobody having to list it here.
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
  /**
   * Documented statuses in each API version: the response schema and the
   * description (which lists error codes).
   */
  responses: Record<ApiVersion, Map<number, { schema: z.ZodType | null; description: string }>>;
  /** The request body example from the OpenAPI document, if the route has one. */
  example: Record<string, unknown> | null;
};

type JsonContent = { content?: Record<string, { schema?: unknown }> };

const zodObject = (value: unknown) => (value instanceof z.ZodObject ? value : null);

type DocResponse = { description?: string };
type DocOperation = {
  operationId?: string;
  responses?: Record<string, DocResponse>;
  requestBody?: { content?: Record<string, { schema?: { example?: unknown; $ref?: string } }> };
};
type PublishedDoc = {
  paths: Record<string, Record<string, DocOperation>>;
  components?: { schemas?: Record<string, { example?: unknown }> };
};

/**
 * Every path of every operation, with its documented responses in `version`:
 * the published document (after the central decoration that adds the errors
 * every route shares), so checks hold routes to what clients are told. Paths
 * of the other generations answer the same as their operation's.
 */
type Documented = { doc: PublishedDoc; version: Version };

/** The statuses `op` documents in one version's document, with their schemas. */
function responsesIn({ doc, version }: Documented, op: Operation) {
  const own = pathsIn(version, op)[0];
  const documented = own ? doc.paths[own.path]?.[own.method] : undefined;
  if (!documented) throw new Error(`${op.route.operationId} is not in the ${version.id} document`);
  const shape = version.shapes["list" in op.answer ? op.answer.list : op.answer.one];
  const success =
    "list" in op.answer ? version.list.schema(shape.schema) : version.one.schema(shape.schema);
  return {
    documented,
    responses: new Map(
      Object.entries(documented.responses ?? {}).map(([status, res]) => [
        Number(status),
        {
          schema: Number(status) < 400 ? success : version.error.schema,
          description: res.description ?? "",
        },
      ]),
    ),
  };
}

/**
 * Every path of every operation, with its documented responses in every API
 * version: the published documents (after the central decoration that adds
 * the errors every route shares), so checks hold routes to what clients are
 * told. Paths of the other generations answer the same as their operation's.
 */
function collect(): ApiRoute[] {
  const documents = Object.values(VERSIONS).map((version) => ({
    version,
    doc: buildOpenApiDocument(version, {
      serverUrl: "http://api.test",
      errorDocsBase: "http://api.test/errors",
    }) as unknown as PublishedDoc,
  }));
  const out: ApiRoute[] = [];
  for (const op of OPERATIONS) {
    const each = documents.map((d) => ({ id: d.version.id, ...responsesIn(d, op) }));
    const responses = Object.fromEntries(
      each.map((e) => [e.id, e.responses]),
    ) as ApiRoute["responses"];
    const request = op.route.request as { params?: unknown; query?: unknown; body?: JsonContent };
    const query = zodObject(request?.query);
    const body = zodObject(request?.body?.content?.["application/json"]?.schema);
    const first = documents[0] as Documented;
    let schema = each[0]?.documented.requestBody?.content?.["application/json"]?.schema;
    const ref = schema?.$ref?.split("/").at(-1);
    if (ref) schema = first.doc.components?.schemas?.[ref];
    const example = schema?.example && typeof schema.example === "object" ? schema.example : null;
    for (const { method, path } of routesOf(op)) {
      out.push({
        operationId: op.route.operationId,
        method: method.toUpperCase(),
        path,
        params: [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as string),
        body,
        bodyFields: body ? Object.keys(body.shape) : [],
        query,
        queryFields: query ? Object.keys(query.shape) : [],
        responses,
        example: example as Record<string, unknown> | null,
      });
    }
  }
  return out;
}

/** Every API route, on every path, documented in every version. */
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

export type IdKind = "group" | "plan" | "apiKey" | "webhook" | "event" | "delivery";

/** What a missing (or foreign) ID of each kind answers. */
export const NOT_FOUND: Record<IdKind, string> = {
  group: "plan_group_not_found",
  plan: "plan_not_found",
  apiKey: "api_key_not_found",
  webhook: "webhook_not_found",
  event: "event_not_found",
  delivery: "webhook_delivery_not_found",
};

/**
 * What kind of object an ID-carrying field names, from its name and the
 * route's resource. Null for fields that carry no ID; a new ID-looking field
 * this does not know makes the isolation matrix fail until it is taught here.
 */
export function idKind(route: ApiRoute, field: string): IdKind | null {
  if (field === "planGroupId") return "group";
  if (field === "planId" || field === "planIds") return "plan";
  if (field === "deliveryId") return "delivery";
  if (field === "id") {
    if (route.path.startsWith("/api/v1/plan-groups")) return "group";
    if (route.path.startsWith("/api/v1/plans")) return "plan";
    if (route.path.startsWith("/api/v1/api-keys")) return "apiKey";
    if (route.path.startsWith("/api/v1/webhooks")) return "webhook";
    if (route.path.startsWith("/api/v1/events")) return "event";
  }
  return null;
}

/** `GET /plans/{id}` also finds a plan by its code. */
export const takesCode = (route: ApiRoute, field: string) =>
  route.operationId === "get-plan" && field === "id";

/** Field names that look like they carry an ID. */
export const looksLikeId = (field: string) => /(^id|Id|Ids|IdOrCode)$/.test(field);
