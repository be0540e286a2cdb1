/**
 * The service−floor gap, cause by cause (an attribution experiment; not part
 * of `npm run bench`). After `npm run bench` (it reuses bench/.state as
 * `npm run bench:profile` does):
 *
 *   npm run bench:gap
 *
 * Runs the service and the floor as bench/profile.ts does (unminified
 * bundles, inspector on only for the CPU profile), captures the service's
 * answers once (headers and body) and hands them to the floor, then loads,
 * per endpoint: the floor's route, the floor's route plus ONE cost of the
 * service (bench/floor/src/index.ts, /gap/<variant>/...), every cost the
 * service pays as benchmarked at once (`all`), and the service. Each side
 * gets PROFILE_REQUESTS requests (2000) under a profile, GAP_REPEATS times
 * (3), in alternating order; reported are the runtime process's CPU per
 * request (the workerd that runs that worker: every thread) and the isolate's
 * CPU per request (from the profile), median and range. The floor's
 * variants need two bindings its wrangler.toml lacks (a rate limiter, a queue
 * producer): added to the copy this run starts it from, so `npm run bench`'s
 * floor is unchanged. GAP_ONLY selects endpoints (names containing it).
 * Ports 8801-8804. Writes bench/.state/gap-report.md (GAP_REPORT) and bench/.state/gap.json.
 */
import { appendFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { BENCH_DIR, config, selects } from "./lib/config";
import { type Load, median } from "./lib/load";
import { table } from "./lib/report";
import { check, pairs } from "./lib/scenarios";
import type { FloorSeed, Seeded } from "./lib/seed";
import { buildBundle, writeRunConfig } from "./lib/worker-config";
import { findBundle, type Profiled, profileSide, type Side, startProfiled } from "./profile";

const OUT = resolve(BENCH_DIR, ".state/profiles/gap");
const REPORT = process.env.GAP_REPORT ?? resolve(BENCH_DIR, ".state/gap-report.md");
const REPEATS = Math.max(1, Number(process.env.GAP_REPEATS ?? "3"));
const ONLY = (process.env.GAP_ONLY ?? "").split(",");
const PORTS = { service: 8801, floor: 8802, serviceInspector: 8803, floorInspector: 8804 };

type Variant = "headers" | "body" | "ratelimit" | "sql" | "queue" | "all";
type Endpoint = {
  name: string;
  /** The pair of lib/scenarios.ts it comes from. */
  pair: string;
  /** The fixture key the floor's variant routes answer with. */
  fixture: string;
  variants: Variant[];
};

const READ: Variant[] = ["headers", "body", "ratelimit", "sql", "all"];
const ENDPOINTS: Endpoint[] = [
  {
    name: "GET /health",
    pair: "GET /health",
    fixture: "noop",
    variants: ["headers", "body", "all"],
  },
  { name: "get plan", pair: "get plan", fixture: "plan", variants: READ },
  { name: "list groups", pair: "list groups", fixture: "groups", variants: READ },
  { name: "list events", pair: "list events", fixture: "events", variants: READ },
  {
    name: "reorder 20",
    pair: "reorder",
    fixture: "reorder",
    variants: ["headers", "body", "ratelimit", "sql", "queue", "all"],
  },
];

/** Bindings only the attribution variants use (bench/floor/src/index.ts, Env). */
const GAP_BINDINGS = `
# bench/gap.ts: the attribution variants' bindings (not in npm run bench's floor).
[[ratelimits]]
name = "GAP_RATE_LIMITER"
namespace_id = "1901"
simple = { limit = 600, period = 60 }

[[queues.producers]]
binding = "GAP_QUEUE"
queue = "floor-gap"
`;

const HOP_BY_HOP = new Set([
  "content-length",
  "date",
  "connection",
  "keep-alive",
  "transfer-encoding",
]);

type Fixture = { headers: [string, string][]; body: string };

/** The service's answer to the first request of `load` (then the rest, which put the data back). */
async function capture(load: Load): Promise<Fixture> {
  let first: Fixture | undefined;
  for (const req of load.requests) {
    const res = await fetch(`${load.url}${req.path ?? "/"}`, {
      method: req.method ?? "GET",
      headers: (req.headers ?? {}) as Record<string, string>,
      ...(req.body === undefined ? {} : { body: req.body.toString() }),
    });
    const body = await res.text();
    if (!res.ok) throw new Error(`capture ${req.path}: ${res.status} ${body.slice(0, 200)}`);
    if (first) continue;
    const headers: [string, string][] = [];
    res.headers.forEach((value, name) => {
      if (!HOP_BY_HOP.has(name.toLowerCase())) headers.push([name, value]);
    });
    first = { headers, body };
  }
  if (!first) throw new Error("nothing to capture");
  return first;
}

/** The floor's headline load, on /gap/<variant>/ instead. */
const onVariant = (load: Load, variant: Variant): Load => ({
  url: load.url,
  requests: load.requests.map((r) => ({ ...r, path: `/gap/${variant}${r.path ?? "/"}` })),
});

type Samples = { processUs: number[]; isolateUs: number[] };

async function main() {
  const seeded = JSON.parse(readFileSync(config.seeded, "utf8")) as {
    key: string;
    service: Seeded & { endpointId: string };
    floor: FloorSeed;
  };
  mkdirSync(OUT, { recursive: true });
  const leaveOut = config.queueConsumer ? [] : ["[[queues.consumers]]"];
  console.error("gap: building both bundles unminified");
  const build = async (source: string, name: string) => {
    const bundle = await buildBundle(source, join(OUT, `${name}-bundle`), `gap-${name}`, {
      minify: false,
    });
    return writeRunConfig(source, bundle, join(OUT, `${name}.wrangler.toml`), leaveOut);
  };
  const serviceConfig = await build(config.service.config, "service");
  const floorConfig = await build(config.floor.config, "floor");
  appendFileSync(floorConfig, GAP_BINDINGS);

  const started: Profiled[] = [];
  try {
    const service = await startProfiled(
      serviceConfig,
      config.service.state,
      PORTS.service,
      PORTS.serviceInspector,
      config.service.vars,
    );
    started.push(service);
    const floor = await startProfiled(
      floorConfig,
      config.floor.state,
      PORTS.floor,
      PORTS.floorInspector,
      [],
    );
    started.push(floor);
    const bundles = {
      service: await findBundle(service.inspector),
      floor: await findBundle(floor.inspector),
    };
    const all = pairs(
      { url: service.url, key: seeded.key },
      seeded.service,
      floor.url,
      seeded.floor,
    );
    const endpoints = ENDPOINTS.filter((e) => selects(ONLY, e.name)).map((e) => {
      const pair = all.find((p) => p.name.startsWith(e.pair));
      if (!pair) throw new Error(`no pair ${e.pair}`);
      return { ...e, pair };
    });

    // The service's answers, once; the floor's variants send them back verbatim.
    const fixtures: Record<string, Fixture> = {};
    const sizes: Record<string, string> = {};
    for (const e of endpoints) {
      const fixture = await capture(e.pair.service);
      const own = await capture(e.pair.floor);
      fixtures[e.fixture] = fixture;
      const bytes = (f: Fixture) =>
        `${f.headers.length} headers, ${f.headers.reduce((n, [k, v]) => n + k.length + v.length + 4, 0)} B; body ${f.body.length} B`;
      sizes[e.name] = `service: ${bytes(fixture)} | floor: ${bytes(own)}`;
    }
    const res = await fetch(`${floor.url}/gap/fixtures`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(fixtures),
    });
    if (!res.ok) throw new Error(`fixtures: ${res.status} ${await res.text()}`);
    const cleanup = async () => {
      await new Promise((r) => setTimeout(r, 300));
      const r = await fetch(`${floor.url}/gap/cleanup?group=${seeded.floor.groupId}`, {
        method: "POST",
      });
      if (!r.ok) throw new Error(`cleanup: ${r.status} ${await r.text()}`);
    };

    const samples = new Map<string, Map<string, Samples>>();
    for (let rep = 0; rep < REPEATS; rep++) {
      for (const e of endpoints) {
        const sides: { name: string; run: () => Promise<Side> }[] = [
          {
            name: "floor",
            run: () =>
              profileSide(floor, bundles.floor, e.pair.floor, `gap/${e.fixture}.floor.${rep}`),
          },
          ...e.variants.map((v) => ({
            name: `floor + ${v}`,
            run: async () => {
              const load = onVariant(e.pair.floor, v);
              await check(load);
              await cleanup();
              return profileSide(
                floor,
                bundles.floor,
                load,
                `gap/${e.fixture}.${v}.${rep}`,
                cleanup,
              );
            },
          })),
          {
            name: "service",
            run: () =>
              profileSide(
                service,
                bundles.service,
                e.pair.service,
                `gap/${e.fixture}.service.${rep}`,
                e.pair.reset,
              ),
          },
        ];
        // Alternate the order, so a drift in machine load does not always favor one end.
        if (rep % 2 === 1) sides.reverse();
        const bySide = samples.get(e.name) ?? new Map<string, Samples>();
        samples.set(e.name, bySide);
        for (const side of sides) {
          console.error(`gap: round ${rep + 1}/${REPEATS}: ${e.name}: ${side.name}`);
          const result = await side.run();
          const s = bySide.get(side.name) ?? { processUs: [], isolateUs: [] };
          if (result.processUs !== null) s.processUs.push(result.processUs);
          s.isolateUs.push(result.isolateUs);
          bySide.set(side.name, s);
        }
      }
    }

    const fmt = (values: number[]) =>
      values.length === 0
        ? "-"
        : `${median(values).toFixed(0)} (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`;
    const signed = (n: number) => `${n >= 0 ? "+" : ""}${n.toFixed(0)}`;
    const sections: string[] = [];
    for (const e of endpoints) {
      const bySide = samples.get(e.name);
      if (!bySide) continue;
      const med = (side: string, key: keyof Samples) => median(bySide.get(side)?.[key] ?? [NaN]);
      const gap = med("service", "processUs") - med("floor", "processUs");
      const order = ["floor", ...e.variants.map((v) => `floor + ${v}`), "service"];
      const rows = [
        [
          "side",
          "process µs/req: median (min–max)",
          "isolate µs/req",
          "Δ process vs floor",
          "Δ isolate",
          "Δ outside isolate",
          "share of process gap",
        ],
      ];
      for (const side of order) {
        const dp = med(side, "processUs") - med("floor", "processUs");
        const di = med(side, "isolateUs") - med("floor", "isolateUs");
        rows.push([
          side,
          fmt(bySide.get(side)?.processUs ?? []),
          fmt(bySide.get(side)?.isolateUs ?? []),
          side === "floor" ? "" : signed(dp),
          side === "floor" ? "" : signed(di),
          side === "floor" ? "" : signed(dp - di),
          side === "floor" ? "" : `${((dp / gap) * 100).toFixed(0)}%`,
        ]);
      }
      sections.push(
        `### ${e.name} (floor: ${e.pair.floorRoute})\n\n${sizes[e.name]}\n\n${markdown(rows)}`,
      );
      console.log(
        `\n${e.name} (floor: ${e.pair.floorRoute})\n${sizes[e.name]}\n${table(rows, { rule: false })}`,
      );
    }
    const header = `# Service−floor gap by cause\n\n${new Date().toISOString()}; ${REPEATS} rounds of ${process.env.PROFILE_REQUESTS ?? "2000"} requests per side; ${config.connections} connections; service ${config.queueConsumer ? "with" : "without"} its queue consumer. "process": CPU (user+system, all threads) of the workerd process running that worker, per request; "isolate": the worker isolate's own CPU from its V8 profile. Share = Δ process / (service − floor) process, on medians.\n`;
    writeFileSync(REPORT, `${header}\n${sections.join("\n\n")}\n`);
    writeFileSync(
      resolve(BENCH_DIR, ".state/gap.json"),
      JSON.stringify(
        Object.fromEntries(
          [...samples].map(([name, bySide]) => [name, Object.fromEntries(bySide)]),
        ),
        null,
        2,
      ),
    );
    console.log(`\n(report: ${REPORT})`);
  } finally {
    for (const s of started) s.inspector.close();
    await Promise.all(started.map((s) => s.worker.dispose()));
  }
}

function markdown(rows: string[][]): string {
  const [head, ...body] = rows;
  if (!head) return "";
  const line = (r: string[]) => `| ${r.join(" | ")} |`;
  return [line(head), line(head.map(() => "---")), ...body.map(line)].join("\n");
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
