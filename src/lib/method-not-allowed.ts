type RouteLike = { method: string; path: string };

function toRegExp(path: string): RegExp {
  const pattern = path
    .split("/")
    .map((seg) => (seg.startsWith(":") ? "[^/]+" : seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")))
    .join("/");
  return new RegExp(`^${pattern}$`);
}

/**
 * The methods registered for a path, so an unmatched request can be told 405
 * with an `Allow` header instead of 404 when the path exists.
 */
export function allowedMethods(routes: RouteLike[]): (path: string) => string[] {
  const table = routes
    .filter((r) => r.method !== "ALL" && !r.path.includes("*"))
    .map((r) => ({ method: r.method, re: toRegExp(r.path) }));
  return (path) => {
    const methods = new Set(table.filter((r) => r.re.test(path)).map((r) => r.method));
    if (methods.has("GET")) methods.add("HEAD");
    return [...methods].sort();
  };
}

/** `allowedMethods` built on first use: routes are registered after the middleware that asks. */
export function lazyAllowedMethods(routes: () => RouteLike[]): (path: string) => string[] {
  let methodsFor: ((path: string) => string[]) | undefined;
  return (path) => {
    methodsFor ??= allowedMethods(routes());
    return methodsFor(path);
  };
}
