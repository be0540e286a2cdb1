import type { OpenApiDocument } from "../../src/docs/openapi";
import { API_VERSIONS, type ApiVersion } from "../../src/versions/ids";
import { call } from "./http";

/** The document the worker serves: `/openapi.json` (current) or `/openapi/{version}.json`. */
export async function fetchDocument(version?: ApiVersion): Promise<OpenApiDocument> {
  const path = version ? `/openapi/${version}.json` : "/openapi.json";
  const res = await call<OpenApiDocument>("GET", path);
  if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.text}`);
  return res.body;
}

/** Every version's document. */
export const fetchDocuments = () => Promise.all(API_VERSIONS.map((v) => fetchDocument(v)));

type RouteLike = { method: string; path: string };

const key = (method: string, path: string) => `${method.toUpperCase()} ${path}`;

/**
 * Registered routes missing from every document, and documented operations
 * with no route. Middleware (`ALL`, wildcards) and the paths in `exclude` are skipped.
 */
export function routeDiff(routes: RouteLike[], docs: OpenApiDocument[], exclude: string[]) {
  const registered = new Set(
    routes
      .filter((r) => r.method !== "ALL" && !r.path.includes("*") && !exclude.includes(r.path))
      .map((r) => key(r.method, r.path.replace(/:([^/]+)/g, "{$1}"))),
  );
  const documented = new Set<string>();
  for (const [path, item] of docs.flatMap((doc) => Object.entries(doc.paths ?? {}))) {
    for (const method of ["get", "put", "post", "delete", "patch", "head", "options"] as const) {
      if (item[method]) documented.add(key(method, path));
    }
  }
  return {
    undocumented: [...registered].filter((r) => !documented.has(r)).sort(),
    unrouted: [...documented].filter((d) => !registered.has(d)).sort(),
  };
}
