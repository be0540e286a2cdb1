import type { Context } from "hono";
import { matchedRoutes } from "hono/route";

/**
 * The pattern of the route whose handler serves this request
 * (`/api/v1/plans/:id/manage`), or null when none matched and the request
 * will end in 404 or 405. Middleware is registered with `use()` (method ALL);
 * a handler has a method.
 */
export function matchedRoutePattern(c: Context): string | null {
  const handler = matchedRoutes(c)
    .filter((r) => r.method !== "ALL")
    .at(-1);
  return handler?.path ?? null;
}
