import type { TakesNoBody } from "../middleware/body-guard";

type Definition = {
  type: string;
  route?: { method: string; path: string; request?: { body?: unknown } };
};

/**
 * Which operations declare no request body, read from the OpenAPI registry
 * (the routes' own definitions) on first use: routes are registered after the
 * middleware that asks. Keyed by Hono's pattern, as the router matched it.
 */
export function lazyBodylessOperations(definitions: () => readonly Definition[]): TakesNoBody {
  let bodyless: Set<string> | undefined;
  return (method, pattern) => {
    bodyless ??= new Set(
      definitions().flatMap(({ type, route }) =>
        type === "route" && route && !route.request?.body
          ? [`${route.method.toUpperCase()} ${route.path.replaceAll(/\{(\w+)\}/g, ":$1")}`]
          : [],
      ),
    );
    return bodyless.has(`${method} ${pattern}`);
  };
}
