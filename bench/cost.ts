/**
 * `npm run bench:cost`, after `npm run bench` (it reads the state that run
 * seeded): the worker's own CPU time per request, without D1's round trip,
 * for the service and its floor, each endpoint of the benchmark. Both
 * workers are built as they deploy (wrangler's dry run: its aliases, its
 * keep_names), unminified so a profile can name the module of every
 * function, and run here in Node, with D1 replaced by answers recorded from
 * the benchmark's local databases (lib/cost/replay-d1.ts; KV is the real
 * local namespace, read once per key as in a warm isolate). What is measured
 * is the app's own code and the Request/Response it builds: no network, no
 * runtime plumbing, and CPU time rather than throughput, which keeps it
 * steady on a busy machine. One V8 CPU profile per side then splits it by
 * category (lib/profile/attribute.ts); the profiles are written to
 * bench/.state/cost/ (open one in Chrome DevTools), with every statement run
 * and its values (statements.json, for EXPLAIN QUERY PLAN).
 *
 * Node's Request, Response and Headers are JavaScript (workerd's are C++), so
 * their share here ("other runtime JS") is larger than in the runtime.
 * Each side is measured COST_ROUNDS times (5) over COST_REQUESTS requests
 * (3000), the sides in turn, and the median kept. COST_BASELINE names another
 * checkout's wrangler.toml (a `git archive` of an earlier commit), measured
 * as a third side: before and after a change, in the same process and
 * rounds. BENCH_ONLY selects pairs as in the benchmark.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { Session } from "node:inspector/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { BENCH_DIR, config, isSelected } from "./lib/config";
import { ReplayD1 } from "./lib/cost/replay-d1";
import { type Load, median } from "./lib/load";
import { attribute, CATEGORIES, inBundles, moduleMap } from "./lib/profile/attribute";
import type { CpuProfile } from "./lib/profile/cdp";
import { table } from "./lib/report";
import { pairs } from "./lib/scenarios";
import type { FloorSeed, Seeded } from "./lib/seed";
import { buildBundle } from "./lib/worker-config";

process.env.WRANGLER_SEND_METRICS = "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
process.env.WRANGLER_LOG_PATH = join(config.logs, "cost.debug.log");
const { getPlatformProxy } = await import("wrangler");

const REQUESTS = Number(process.env.COST_REQUESTS ?? "3000");
const INTERVAL_US = 50;
/** Another checkout's wrangler.toml, measured beside the service (the code as it was). */
const BASELINE = process.env.COST_BASELINE;
const ORIGIN = "http://bench.local";
const OUT = resolve(BENCH_DIR, ".state/cost");

type App = {
  fetch: (request: Request, env: unknown, ctx: ExecutionContext) => Promise<Response> | Response;
};
type SeededDoc = { key: string; service: Seeded & { endpointId: string }; floor: FloorSeed };

/** Collects waitUntil's promises, so each request's after-work finishes inside its measurement. */
class Context {
  pending: Promise<unknown>[] = [];
  readonly props = {};
  waitUntil(promise: Promise<unknown>) {
    this.pending.push(promise);
  }
  passThroughOnException() {}
  async settle() {
    const pending = this.pending;
    this.pending = [];
    await Promise.all(pending);
  }
}

const allowAll = { limit: async () => ({ success: true }) };
const noQueue = { send: async () => {}, sendBatch: async () => {} };

async function environment(state: string, configPath: string, vars: Record<string, string>) {
  const proxy = await getPlatformProxy<Record<string, unknown>>({
    configPath,
    persist: { path: join(state, "v3") },
    remoteBindings: false,
    envFiles: [],
  });
  const replays: ReplayD1[] = [];
  const replay = (binding: unknown) => {
    const d1 = new ReplayD1(binding as D1Database);
    replays.push(d1);
    return d1.asBinding();
  };
  const env = {
    ...proxy.env,
    ...vars,
    DB: replay(proxy.env.DB),
    ...(proxy.env.HISTORY_DB ? { HISTORY_DB: replay(proxy.env.HISTORY_DB) } : {}),
    WEBHOOK_QUEUE: noQueue,
    RATE_LIMITER: allowAll,
    AUTH_FAILURE_LIMITER: allowAll,
  };
  return { env, replays, dispose: () => proxy.dispose() };
}

/**
 * The load's request cycle, as fresh Requests (a body is read once). A body
 * comes with its Content-Length, as over HTTP: the worker trusts a declared
 * length within its limit instead of counting the bytes.
 */
function cycle(load: Load) {
  const requests = load.perConnection?.(0) ?? load.requests;
  return () =>
    requests.map((r) => {
      const body = r.body?.toString();
      const headers = (r.headers ?? {}) as Record<string, string>;
      return new Request(`${ORIGIN}${r.path ?? "/"}`, {
        method: r.method ?? "GET",
        headers:
          body === undefined
            ? headers
            : { ...headers, "content-length": String(Buffer.byteLength(body)) },
        ...(body === undefined ? {} : { body }),
      });
    });
}

async function send(app: App, env: unknown, requests: Request[]) {
  const bodies: string[] = [];
  for (const request of requests) {
    const ctx = new Context();
    const res = await app.fetch(request, env, ctx as unknown as ExecutionContext);
    const body = await res.text();
    await ctx.settle();
    if (!res.ok)
      throw new Error(`${request.method} ${request.url}: ${res.status} ${body.slice(0, 300)}`);
    bodies.push(body);
  }
  return bodies;
}

/** CPU µs per request over `count` requests (whole cycles), and the answers of the last cycle. */
async function measure(app: App, env: unknown, make: () => Request[], count: number) {
  const cycles = Math.max(1, Math.round(count / make().length));
  const batches = Array.from({ length: cycles }, make);
  const before = process.cpuUsage();
  let last: string[] = [];
  for (const batch of batches) last = await send(app, env, batch);
  const used = process.cpuUsage(before);
  return { us: (used.user + used.system) / (cycles * make().length), last };
}

/** Where each bundle's modules start, by the URL Node loaded it from. */
const bundles = new Map<string, { line: number; path: string }[]>();

/** A worker built as it deploys, unminified, loaded here. */
async function load(source: string, name: string): Promise<App> {
  const file = await buildBundle(source, join(OUT, `${name}-bundle`), `cost-${name}`, {
    minify: false,
  });
  const url = pathToFileURL(file).href;
  bundles.set(url, moduleMap(readFileSync(file, "utf8")));
  return (await import(url)).default as App;
}

/**
 * A V8 CPU profile of `REQUESTS` more requests, split by category and scaled
 * to `us` (the unprofiled median): the sampler's own cost is not the app's.
 */
async function profile(
  session: Session,
  side: Side,
  make: () => Request[],
  us: number,
  file: string,
) {
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: INTERVAL_US });
  await session.post("Profiler.start");
  await measure(side.app, side.env, make, REQUESTS);
  const { profile: result } = (await session.post("Profiler.stop")) as { profile: CpuProfile };
  await session.post("Profiler.disable");
  writeFileSync(file, JSON.stringify(result));
  const { totals, busy } = attribute(result, inBundles(bundles), INTERVAL_US);
  const scale = busy > 0 ? us / busy : 0;
  return new Map([...totals].map(([k, v]) => [k, v * scale]));
}

const fixed = (n: number) => n.toFixed(0);

const ROUNDS = Number(process.env.COST_ROUNDS ?? "5");

/** CPU µs that JSON.stringify of these answers (one cycle's) takes per answer. */
function stringifyUs(bodies: string[]): number {
  const values = bodies.map((body) => JSON.parse(body) as unknown);
  const times = 2000;
  const before = process.cpuUsage();
  for (let i = 0; i < times; i++) for (const value of values) JSON.stringify(value);
  const used = process.cpuUsage(before);
  return (used.user + used.system) / (times * values.length);
}

type Side = { name: string; app: App; env: unknown; floor: boolean };

async function main() {
  const seeded = JSON.parse(readFileSync(config.seeded, "utf8")) as SeededDoc;
  mkdirSync(OUT, { recursive: true });
  const vars = Object.fromEntries(
    config.service.vars.map((v) => v.split(":", 2) as [string, string]),
  );
  const service = await environment(config.service.state, config.service.devConfig, vars);
  const floor = await environment(config.floor.state, config.floor.devConfig, {});
  console.error("cost: building the workers (wrangler deploy --dry-run, unminified)");
  const sides: Side[] = [
    {
      name: "service",
      app: await load(config.service.config, "service"),
      env: service.env,
      floor: false,
    },
    { name: "floor", app: await load(config.floor.config, "floor"), env: floor.env, floor: true },
  ];
  if (BASELINE) {
    const app = await load(BASELINE, "baseline");
    sides.splice(1, 0, { name: "baseline", app, env: service.env, floor: false });
  }
  const session = new Session();
  session.connect();
  try {
    const selected = pairs(
      { url: ORIGIN, key: seeded.key },
      seeded.service,
      ORIGIN,
      seeded.floor,
    ).filter((p) => isSelected(p.name));
    const names = sides.map((side) => side.name);
    const summary = [["CPU µs per request", ...names]];
    for (const pair of selected) {
      console.error(`cost: ${pair.name}`);
      const make = (side: Side) => cycle(side.floor ? pair.floor : pair.service);
      const runs = new Map<string, number[]>(names.map((n) => [n, []]));
      for (const side of sides) {
        // Records every answer, then warms the code up on replays (as long as measured).
        const first = await send(side.app, side.env, make(side)());
        const { last } = await measure(side.app, side.env, make(side), REQUESTS);
        if (pair.kind !== "write" && last.join() !== first.join()) {
          const [a = "", b = ""] = [first.join(), last.join()];
          let at = 0;
          while (a[at] === b[at]) at++;
          throw new Error(
            `${pair.name}: the ${side.name}'s answers changed between runs, at ${at}: ${a.slice(at - 40, at + 60)} / ${b.slice(at - 40, at + 60)}`,
          );
        }
      }
      // The sides in turn, each round in another order: drift in the machine's
      // speed weighs on all of them alike; the median of the rounds is kept.
      for (let round = 0; round < ROUNDS; round++) {
        const order = round % 2 === 0 ? sides : [...sides].reverse();
        for (const side of order) {
          const { us } = await measure(side.app, side.env, make(side), REQUESTS);
          runs.get(side.name)?.push(us);
        }
      }
      const us = new Map(names.map((n) => [n, median(runs.get(n) ?? [])]));
      const totals = new Map<string, Map<string, number>>();
      for (const side of sides) {
        const file = join(OUT, `${pair.name.replace(/[^\w]+/g, "-")}.${side.name}.cpuprofile`);
        totals.set(
          side.name,
          await profile(session, side, make(side), us.get(side.name) ?? 0, file),
        );
      }
      const rows = [["CPU µs per request", ...names]];
      for (const category of CATEGORIES) {
        const values = names.map((n) => totals.get(n)?.get(category) ?? 0);
        if (values.every((v) => v < 0.5)) continue;
        rows.push([category, ...values.map(fixed)]);
      }
      rows.push(["= all (median of rounds)", ...names.map((n) => fixed(us.get(n) ?? 0))]);
      // JSON.stringify runs inside Hono's c.json (a builtin has no frame of its
      // own in a profile): its share, timed apart on the same answers.
      const answers = await Promise.all(
        sides.map((side) => send(side.app, side.env, make(side)())),
      );
      rows.push([
        "  of which JSON.stringify of the answers",
        ...answers.map((a) => fixed(stringifyUs(a))),
      ]);
      console.log(`\n${pair.name} (floor: ${pair.floorRoute})\n${table(rows, { rule: false })}`);
      summary.push([pair.name, ...names.map((n) => fixed(us.get(n) ?? 0))]);
    }
    console.log(`\n${table(summary, { rule: false })}`);
    const replays = [...service.replays, ...floor.replays];
    writeFileSync(
      join(OUT, "statements.json"),
      JSON.stringify(
        {
          service: service.replays.flatMap((r) => r.recorded),
          floor: floor.replays.flatMap((r) => r.recorded),
        },
        null,
        2,
      ),
    );
    const recorded = replays.reduce((n, r) => n + r.counts.recorded, 0);
    console.log(
      `\n(D1: ${recorded} statements or batches run for real, then answered from memory)`,
    );
  } finally {
    session.disconnect();
    await Promise.all([service.dispose(), floor.dispose()]);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
