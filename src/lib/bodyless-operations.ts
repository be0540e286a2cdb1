import type { TakesNoBody } from "../middleware/body-guard";
import { type Operation, routesOf } from "./operation";

/**
 * Which operations declare no request body (the DELETEs, `POST
 * /webhooks/{id}/test`), on every path they are served on, read on first use
 * (operations are mounted after the middleware that asks). Keyed by Hono's
 * pattern, as the router matched it.
 */
export function lazyBodylessOperations(operations: () => readonly Operation[]): TakesNoBody {
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
