import { ApiError } from "../errors";

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
 * rather than that its body has the wrong content type. `pattern` is the
 * route the request matched (src/lib/matched-route.ts); null: none did.
 */
export function guardRoute(
  methodsFor: (path: string) => string[],
  method: string,
  path: string,
  pattern: string | null,
): void {
  if (pattern !== null) return;
  const error = unroutable(methodsFor, method, path);
  if (error) throw error;
}
