/// <reference types="vite/client" />
import { describe, expect, it } from "vitest";

/**
 * The layers of src/, lowest first (docs/architecture.md). A module imports
 * from its own layer and the ones below it, never from one above: lib knows
 * nothing of the database, the database nothing of plans or webhooks, no
 * domain module knows the middleware, and only the app puts it all together.
 * Each entry is a folder (`name/`) or a file at the top of src/.
 */
const LAYERS: [layer: string, members: string[]][] = [
  ["lib", ["lib/", "errors.ts", "tenant.ts"]],
  ["db", ["db/"]],
  [
    "domain",
    [
      "membership/",
      "plans/",
      "plan-groups/",
      "api-keys/",
      "auth/",
      "idempotency/",
      "versions/",
      "operation/",
      "webhooks/",
      "history/",
      "events/",
      "deliveries/",
      "reencryption/",
    ],
  ],
  ["middleware", ["middleware/"]],
  [
    "app",
    ["app.ts", "index.ts", "operations.ts", "scheduled.ts", "health.ts", "dev-crons.ts", "docs/"],
  ],
];

/**
 * The worker's environment as types (src/env.ts: bindings, request
 * variables) is declared once for every layer: any module may import it and
 * it may import from any, types only, which vanish from the bundle.
 */
const ENVIRONMENT = "env.ts";

/**
 * Domain folders import one another in one direction only, except within
 * these groups. Never widen one to let a new pair in: move what both need
 * to a module of its own (as src/membership/ holds what plans and plan
 * groups share).
 */
const ENTANGLED = [
  // The webhook pipeline: one capability kept in four folders by concern.
  ["events", "history", "webhooks", "deliveries"],
  // Versions present events and endpoints, which read version ids and pins.
  ["versions", "events"],
  ["versions", "webhooks"],
];

const sources = Object.fromEntries(
  Object.entries(
    import.meta.glob<string>("../../src/**/*.ts", {
      query: "?raw",
      import: "default",
      eager: true,
    }),
  ).map(([path, text]) => [path.replace("../../src/", ""), text]),
);

type Import = { from: string; to: string; typeOnly: boolean };

/** The module specifiers of `text`'s static imports and re-exports, and whether each is `import type`. */
function importsOf(text: string): { spec: string; typeOnly: boolean }[] {
  const found = text.matchAll(
    /^(?:import|export)\s+(type\s+)?(?:[^;'"]*?\bfrom\s*)?["']([^"']+)["']|\bimport\(\s*["']([^"']+)["']\s*\)/gm,
  );
  return [...found].map((m) => ({ spec: m[2] ?? m[3] ?? "", typeOnly: m[1] !== undefined }));
}

/** `spec` imported from `from`, as a path of `sources`; null outside src/. */
function resolve(from: string, spec: string): string | null {
  if (!spec.startsWith(".")) return null;
  const parts = from.split("/").slice(0, -1);
  for (const part of spec.split("/")) {
    if (part === "..") parts.pop();
    else if (part !== ".") parts.push(part);
  }
  const path = parts.join("/");
  const found = [`${path}.ts`, `${path}/index.ts`, path].find((p) => p in sources);
  if (!found) throw new Error(`${from}: cannot resolve ${spec}`);
  return found;
}

const imports: Import[] = Object.entries(sources).flatMap(([from, text]) =>
  importsOf(text).flatMap(({ spec, typeOnly }) => {
    const to = resolve(from, spec);
    return to === null ? [] : [{ from, to, typeOnly }];
  }),
);

const layerOf = (path: string) =>
  LAYERS.findIndex(([, members]) =>
    members.some((m) => (m.endsWith("/") ? path.startsWith(m) : path === m)),
  );
const folderOf = (path: string) => path.split("/")[0] ?? path;
const line = ({ from, to }: Import) => `${from} -> ${to}`;

describe("the layers of src/", () => {
  it("reads imports as TypeScript writes them", () => {
    const text = [
      'import { a, type B } from "./a";',
      'import type {\n  C,\n  D,\n} from "../c";',
      'export type { E } from "./e";',
      'export { f } from "./f";',
      'import "./side-effect";',
      'const g = await import("./g");',
      'export const h = "not from here";',
    ].join("\n");
    expect(importsOf(text)).toEqual([
      { spec: "./a", typeOnly: false },
      { spec: "../c", typeOnly: true },
      { spec: "./e", typeOnly: true },
      { spec: "./f", typeOnly: false },
      { spec: "./side-effect", typeOnly: false },
      { spec: "./g", typeOnly: false },
    ]);
  });

  it("place every module in one layer", () => {
    expect(Object.keys(sources).length).toBeGreaterThan(100);
    const unplaced = Object.keys(sources).filter((p) => p !== ENVIRONMENT && layerOf(p) < 0);
    expect(unplaced, "add them to LAYERS").toEqual([]);
  });

  it("never import from a higher layer", () => {
    const upward = imports.filter(
      ({ from, to }) => from !== ENVIRONMENT && to !== ENVIRONMENT && layerOf(to) > layerOf(from),
    );
    expect(imports.length).toBeGreaterThan(300);
    expect(upward.map(line)).toEqual([]);
  });

  it("share the environment's types only", () => {
    const values = imports.filter(
      ({ from, to, typeOnly }) => (from === ENVIRONMENT || to === ENVIRONMENT) && !typeOnly,
    );
    expect(values.map(line)).toEqual([]);
  });

  it("keep domain folders from importing each other both ways", () => {
    const domain = LAYERS.findIndex(([name]) => name === "domain");
    const pairs = new Set<string>();
    for (const { from, to } of imports) {
      if (layerOf(from) !== domain || layerOf(to) !== domain) continue;
      if (folderOf(from) !== folderOf(to)) pairs.add(`${folderOf(from)} ${folderOf(to)}`);
    }
    const mutual = [...pairs]
      .map((pair) => pair.split(" "))
      .filter(([a = "", b = ""]) => a < b && pairs.has(`${b} ${a}`))
      .filter(
        ([a = "", b = ""]) => !ENTANGLED.some((group) => group.includes(a) && group.includes(b)),
      )
      .map((pair) => pair.join(" and "));
    expect(mutual).toEqual([]);
  });
});
