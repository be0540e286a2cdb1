import type { Hono } from "hono";
import type { AppEnv } from "../env";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/**
 * The methods some route answers on `path`, asked of the app's own router, so
 * an unmatched request can be told 405 with an `Allow` header instead of 404
 * when the path exists. Middleware is registered for every method (`ALL`);
 * only a route's own method counts.
 */
export function allowedMethods(app: Hono<AppEnv>): (path: string) => string[] {
  return (path) => {
    const allow: string[] = METHODS.filter((method) =>
      app.router.match(method, path)[0].some(([[, route]]) => route.method === method),
    );
    if (allow.includes("GET")) allow.push("HEAD");
    return allow.sort();
  };
}
