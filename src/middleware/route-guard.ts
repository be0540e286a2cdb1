import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { matchedRoutePattern } from "../lib/matched-route";

const MAX_SHOWN_PATH = 200;

/** The path as a message shows it: a hostile one is cut short, not echoed whole. */
const shown = (path: string) =>
  path.length > MAX_SHOWN_PATH ? `${path.slice(0, MAX_SHOWN_PATH)}...` : path;

/** The 404 or 405 for a request no route answers, or null when one does. */
export function unroutable(methodsFor: (path: string) => string[], method: string, path: string) {
  const allow = methodsFor(path);
  if (allow.includes(method)) return null;
  if (allow.length === 0) {
    return new ApiError("not_found", { message: `No route for ${method} ${shown(path)}` });
  }
  return new ApiError("method_not_allowed", {
    message: `${method} is not allowed on ${shown(path)}; use ${allow.join(", ")}.`,
    headers: { Allow: allow.join(", ") },
  });
}

/**
 * Answers 404 and 405 before body checks run, so a wrong method is told so
 * rather than that its body has the wrong content type.
 */
export function routeGuard(methodsFor: (path: string) => string[]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    // The router already found a handler for this method: nothing to check.
    if (matchedRoutePattern(c) !== null) return next();
    const error = unroutable(methodsFor, c.req.method, c.req.path);
    if (error) throw error;
    await next();
  });
}
