import type { CallFrame, CpuProfile, ProfileNode } from "./cdp";

/**
 * Where a worker's CPU time goes, by the module each sampled function comes
 * from. The profiled bundle is built unminified, and esbuild heads every
 * module it inlines with a `// path` comment: a function's line number names
 * its module.
 */

export type Category =
  | "Hono routing"
  | "Hono context and compose"
  | "middleware (ours)"
  | "zod validation"
  | "handlers and queries"
  | "statements (bind, decode)"
  | "presenters"
  | "JSON"
  | "keep_names (__name)"
  | "D1 binding (runtime JS)"
  | "other runtime JS"
  | "native, outside JS"
  | "garbage collection";

export const CATEGORIES: Category[] = [
  "Hono routing",
  "Hono context and compose",
  "middleware (ours)",
  "zod validation",
  "handlers and queries",
  "statements (bind, decode)",
  "presenters",
  "JSON",
  "keep_names (__name)",
  "D1 binding (runtime JS)",
  "other runtime JS",
  "native, outside JS",
  "garbage collection",
];

/** First match wins. Paths are as esbuild writes them, relative, without leading `../`. */
const BY_MODULE: [RegExp, Category][] = [
  [/node_modules\/hono\/dist\/(router|hono-base|utils\/url|router\.js|hono\.js)/, "Hono routing"],
  [
    /node_modules\/(zod|@hono\/zod-openapi|@hono\/zod-validator|@asteasolutions)\//,
    "zod validation",
  ],
  [/node_modules\/hono\/dist\/validator\//, "zod validation"],
  [/node_modules\/hono\//, "Hono context and compose"],
  [
    /src\/(middleware\/|auth\/|api-keys\/last-used|webhooks\/enqueue|versions\/resolve|lib\/(matched-route|bodyless-operations|method-not-allowed|create-app)|app\.ts)/,
    "middleware (ours)",
  ],
  [/src\/lib\/(validation|fields|openapi)\.ts/, "zod validation"],
  [/src\/(versions\/|[\w-]+\/present\.ts|[\w-]+\/record\.ts)/, "presenters"],
  [/(node_modules\/drizzle-orm\/|src\/db\/)/, "statements (bind, decode)"],
  [/src\//, "handlers and queries"],
  [/bench\/floor\//, "handlers and queries"],
  [/bench\/lib\/cost\/replay-d1/, "D1 binding (runtime JS)"],
];

/** The modules of a bundle: the line each starts at, in order. */
export function moduleMap(source: string): { line: number; path: string }[] {
  const out: { line: number; path: string }[] = [];
  const lines = source.split("\n");
  lines.forEach((text, line) => {
    // Relative to wherever the build ran: keep the path from its first known folder on.
    const m = text.match(/^\/\/ (\S*?)((?:node_modules|src|bench)\/\S+\.[cm]?[jt]s)$/);
    if (m?.[2]) out.push({ line, path: m[2] });
  });
  return out;
}

function moduleAt(map: { line: number; path: string }[], line: number): string | null {
  let lo = 0;
  let hi = map.length - 1;
  let found: string | null = null;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const entry = map[mid] as { line: number; path: string };
    if (entry.line <= line) {
      found = entry.path;
      lo = mid + 1;
    } else {
      hi = mid - 1;
    }
  }
  return found;
}

export type Bundle = { scriptId: string; modules: { line: number; path: string }[] };

/** Where a frame's code comes from: a module path of the worker, or null (the runtime's, a native). */
export type Locate = (frame: CallFrame) => string | null;

/** For a worker run from a bundle: the module of the bundle's line. */
export const inBundle =
  (bundle: Bundle): Locate =>
  (frame) =>
    frame.scriptId === bundle.scriptId ? (moduleAt(bundle.modules, frame.lineNumber) ?? "?") : null;

/** The same for bundles loaded by URL (Node): `bundles` maps each URL to its modules. */
export const inBundles =
  (bundles: Map<string, { line: number; path: string }[]>): Locate =>
  (frame) => {
    const modules = bundles.get(frame.url);
    return modules ? (moduleAt(modules, frame.lineNumber) ?? "?") : null;
  };

/** The category of a frame of its own, or null to take its caller's (a native the JS called). */
function ownCategory(frame: CallFrame, locate: Locate): Category | "idle" | null {
  switch (frame.functionName) {
    case "(idle)":
      return "idle";
    case "(program)":
    case "(root)":
      return "native, outside JS";
    case "(garbage collector)":
      return "garbage collection";
  }
  const path = locate(frame);
  if (path !== null) {
    // esbuild's keep_names helper: names every function as it is created (closures per request too).
    if (frame.functionName === "__name") return "keep_names (__name)";
    for (const [pattern, category] of BY_MODULE) if (pattern.test(path)) return category;
    return "other runtime JS";
  }
  if (frame.url === "") {
    if (frame.functionName === "stringify" || frame.functionName === "parse") return "JSON";
    return null;
  }
  if (/d1/i.test(frame.url)) return "D1 binding (runtime JS)";
  return "other runtime JS";
}

/**
 * Self time per category, in µs. A native function (no script) counts for
 * its caller's category, except JSON.stringify and JSON.parse, which count
 * for JSON. Also returns the total (without idle).
 *
 * Each sample counts for one sampling interval (`intervalUs`), whatever the
 * time since the previous one: V8 samples an isolate only while a thread is
 * in it, so after workerd ran another isolate (the entry worker, the asset
 * router, D1's), or the thread waited for a CPU on a busy machine, the next
 * sample's time delta spans all of that; charging it to that sample's
 * function would inflate whatever runs first in a request.
 */
export function attribute(profile: CpuProfile, locate: Locate, intervalUs: number) {
  const byId = new Map<number, ProfileNode>(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const resolved = new Map<number, Category | "idle">();
  const categoryOf = (id: number): Category | "idle" => {
    const known = resolved.get(id);
    if (known) return known;
    const node = byId.get(id);
    let category: Category | "idle" | null = node ? ownCategory(node.callFrame, locate) : null;
    if (category === null) {
      const up = parent.get(id);
      category = up === undefined ? "native, outside JS" : categoryOf(up);
    }
    resolved.set(id, category);
    return category;
  };
  const totals = new Map<Category, number>(CATEGORIES.map((c) => [c, 0]));
  let busy = 0;
  for (const id of profile.samples) {
    const category = categoryOf(id);
    if (category === "idle") continue;
    busy += intervalUs;
    totals.set(category, (totals.get(category) ?? 0) + intervalUs);
  }
  return { totals, busy };
}
