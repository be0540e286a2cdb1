import type { OpenApiDocument } from "../../src/docs/openapi";
import { call } from "./http";

export async function fetchDocument(): Promise<OpenApiDocument> {
  const res = await call<OpenApiDocument>("GET", "/openapi.json");
  if (res.status !== 200) throw new Error(`GET /openapi.json: ${res.status} ${res.text}`);
  return res.body;
}

type RouteLike = { method: string; path: string };

const key = (method: string, path: string) => `${method.toUpperCase()} ${path}`;

/**
 * Registered routes missing from the document, and documented operations with
 * no route. Middleware (`ALL`, wildcards) and the paths in `exclude` are skipped.
 */
export function routeDiff(routes: RouteLike[], doc: OpenApiDocument, exclude: string[]) {
  const registered = new Set(
    routes
      .filter((r) => r.method !== "ALL" && !r.path.includes("*") && !exclude.includes(r.path))
      .map((r) => key(r.method, r.path.replace(/:([^/]+)/g, "{$1}"))),
  );
  const documented = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of ["get", "put", "post", "delete", "patch", "head", "options"] as const) {
      if (item[method]) documented.add(key(method, path));
    }
  }
  return {
    undocumented: [...registered].filter((r) => !documented.has(r)).sort(),
    unrouted: [...documented].filter((d) => !registered.has(d)).sort(),
  };
}
