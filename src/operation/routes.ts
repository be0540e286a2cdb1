import { VERSIONS } from "../versions";
import type { RouteRef } from "../versions/types";
import type { Operation } from "./define";

/** Every path the operation is served on: its own, and those any version gives it. */
export function routesOf(op: Operation): RouteRef[] {
  const own: RouteRef = { method: op.route.method, path: op.route.path };
  const extra = Object.values(VERSIONS).flatMap((v) => v.routes[op.route.operationId] ?? []);
  const byKey = new Map([own, ...extra].map((r) => [`${r.method} ${r.path}`, r]));
  return [...byKey.values()];
}

/**
 * Which operations declare no request body (the DELETEs, `POST
 * /webhooks/{id}/test`), on every path they are served on, read on first use
 * (operations are mounted after the middleware that asks). Keyed by Hono's
 * pattern, as the router matched it: what the body guard takes.
 */
export function lazyBodylessOperations(
  operations: () => readonly Operation[],
): (method: string, pattern: string) => boolean {
  let bodyless: Set<string> | undefined;
  return (method, pattern) => {
    bodyless ??= new Set(
      operations()
        .filter((op) => !op.route.request?.body)
        .flatMap(routesOf)
        .map((r) => `${r.method.toUpperCase()} ${r.path.replaceAll(/\{(\w+)\}/g, ":$1")}`),
    );
    return bodyless.has(`${method} ${pattern}`);
  };
}
