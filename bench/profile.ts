/**
 * `npm run bench:profile`, after `npm run bench` (it profiles the state that
 * run seeded, in bench/.state): where each endpoint's CPU time goes in the
 * worker's own isolate, inside the runtime, for the service and its floor.
 * Both workers run unminified, from a prebuilt bundle as in the benchmark,
 * with the DevTools inspector on only to take the profile (the network
 * reporting wrangler turns on is turned off), and each pair of the benchmark
 * is loaded with PROFILE_REQUESTS requests (2000) per side under a V8 CPU
 * profile. Each sample counts for one sampling interval (see attribute.ts),
 * so what is summed is the isolate's own time, never the time the thread
 * spent in another isolate or waiting for a CPU. Prints, per pair, the CPU
 * microseconds per request of each category (lib/profile/attribute.ts) and
 * of the whole runtime process, and writes every profile to
 * bench/.state/profiles/ (open one in Chrome DevTools' Performance panel).
 * BENCH_ONLY selects pairs as in the benchmark. Ports 8791, 8792, 8794, 8795.
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import autocannon from "autocannon";
import { BENCH_DIR, config, isSelected } from "./lib/config";
import { childProcesses, processCpuMs } from "./lib/cpu";
import type { Load } from "./lib/load";
import { attribute, type Bundle, CATEGORIES, inBundle, moduleMap } from "./lib/profile/attribute";
import { type CpuProfile, Inspector } from "./lib/profile/cdp";
import { table } from "./lib/report";
import { check, type Pair, pairs } from "./lib/scenarios";
import type { FloorSeed, Seeded } from "./lib/seed";
import { buildBundle, writeRunConfig } from "./lib/worker-config";

// Before wrangler loads (imported below): no metrics, no `Request.cf` download, its log in the run's state.
process.env.WRANGLER_SEND_METRICS = "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
process.env.WRANGLER_LOG_PATH = join(config.logs, "profile.debug.log");
const { unstable_startWorker } = await import("wrangler");

const REQUESTS = Number(process.env.PROFILE_REQUESTS ?? "2000");
const INTERVAL_US = 100;
const OUT = resolve(BENCH_DIR, ".state/profiles");

type SeededDoc = { key: string; service: Seeded & { endpointId: string }; floor: FloorSeed };

/** The workerd processes this process started that run a worker with an inspector. */
const runtimes = () =>
  childProcesses(process.pid, "workerd")
    .filter((p) => p.cmdline.includes("--inspector-addr"))
    .map((p) => p.pid);

export async function startProfiled(
  configPath: string,
  state: string,
  port: number,
  inspectorPort: number,
  vars: string[],
) {
  const before = new Set(runtimes());
  const worker = await unstable_startWorker({
    config: configPath,
    bindings: Object.fromEntries(
      vars.map((v) => {
        const [name, value] = v.split(":", 2) as [string, string];
        return [name, { type: "plain_text", value }];
      }),
    ),
    dev: {
      remote: false,
      inspector: { port: inspectorPort, hostname: "127.0.0.1" },
      persist: state,
      server: { hostname: "127.0.0.1", port },
      logLevel: "warn",
      watch: false,
    },
  });
  await worker.ready;
  const pid = runtimes().find((p) => !before.has(p));
  if (pid === undefined) throw new Error(`no workerd runtime found for :${port}`);
  const targets = (await fetch(`http://127.0.0.1:${inspectorPort}/json`).then((r) => r.json())) as {
    webSocketDebuggerUrl: string;
  }[];
  const target = targets[0];
  if (!target) throw new Error(`no inspector target on :${inspectorPort}`);
  const inspector = await Inspector.connect(target.webSocketDebuggerUrl);
  // wrangler's proxy turns on network reporting (every D1 call with its body):
  // not what a deployed worker pays, and the profile needs none of it.
  await inspector.send("Network.disable");
  return { worker, inspector, pid, url: `http://127.0.0.1:${port}` };
}

export type Profiled = Awaited<ReturnType<typeof startProfiled>>;

/** The worker's bundle among the scripts the isolate parsed: its main module, `index.js`. */
export async function findBundle(inspector: Inspector): Promise<Bundle> {
  const scripts: { scriptId: string; url: string }[] = [];
  inspector.on("Debugger.scriptParsed", (p) =>
    scripts.push({ scriptId: String(p.scriptId), url: String(p.url) }),
  );
  await inspector.send("Debugger.enable");
  await new Promise((r) => setTimeout(r, 500));
  const main = scripts.find((s) => s.url === "index.js" || s.url.endsWith("/index.js"));
  if (!main) throw new Error(`no index.js among ${scripts.map((s) => s.url).join(", ")}`);
  const { scriptSource } = await inspector.send<{ scriptSource: string }>(
    "Debugger.getScriptSource",
    { scriptId: main.scriptId },
  );
  await inspector.send("Debugger.disable");
  return { scriptId: main.scriptId, modules: moduleMap(scriptSource) };
}

function fire(load: Load, options: { amount?: number; duration?: number }) {
  let connection = 0;
  const perConnection = load.perConnection;
  return autocannon({
    url: load.url,
    connections: config.connections,
    ...options,
    requests: load.requests,
    ...(perConnection
      ? {
          setupClient: (client: autocannon.Client) =>
            client.setRequests(perConnection(connection++)),
        }
      : {}),
  });
}

export type Side = {
  /** Runtime process CPU (all threads: every worker of it, D1's SQLite, the asset router) per request. */
  processUs: number | null;
  /** The isolate's JavaScript (and the natives it calls) per request. */
  isolateUs: number;
  totals: Map<string, number>;
};

export async function profileSide(
  worker: Profiled,
  bundle: Bundle,
  load: Load,
  name: string,
  reset?: () => Promise<void>,
): Promise<Side> {
  await fire(load, { duration: 2 });
  await reset?.();
  const { inspector, pid } = worker;
  await inspector.send("Profiler.enable");
  await inspector.send("Profiler.setSamplingInterval", { interval: INTERVAL_US });
  const cpuBefore = processCpuMs(pid);
  await inspector.send("Profiler.start");
  const result = await fire(load, { amount: REQUESTS });
  const { profile } = await inspector.send<{ profile: CpuProfile }>("Profiler.stop");
  const cpuAfter = processCpuMs(pid);
  await inspector.send("Profiler.disable");
  await reset?.();
  if (result.non2xx > 0 || result.errors > 0) {
    throw new Error(`${result.non2xx} non-2xx answers, ${result.errors} errors under profile`);
  }
  writeFileSync(join(OUT, `${name}.cpuprofile`), JSON.stringify(profile));
  const requests = result.requests.total;
  const { totals, busy } = attribute(profile, inBundle(bundle), INTERVAL_US);
  return {
    processUs:
      cpuBefore === null || cpuAfter === null ? null : ((cpuAfter - cpuBefore) * 1000) / requests,
    isolateUs: busy / requests,
    totals: new Map([...totals].map(([k, v]) => [k, v / requests])),
  };
}

const us = (n: number | null) => (n === null ? "-" : n.toFixed(0));

function report(pair: Pair, sides: Record<"service" | "floor", Side>) {
  const rows = [["CPU µs per request", "service", "floor"]];
  for (const category of CATEGORIES) {
    const s = sides.service.totals.get(category) ?? 0;
    const f = sides.floor.totals.get(category) ?? 0;
    if (s < 0.5 && f < 0.5) continue;
    rows.push([category, us(s), us(f)]);
  }
  rows.push(["= the isolate", us(sides.service.isolateUs), us(sides.floor.isolateUs)]);
  rows.push(["runtime process, all of it", us(sides.service.processUs), us(sides.floor.processUs)]);
  console.log(`\n${pair.name} (floor: ${pair.floorRoute})\n${table(rows, { rule: false })}`);
}

async function main() {
  const seeded = JSON.parse(readFileSync(config.seeded, "utf8")) as SeededDoc;
  mkdirSync(OUT, { recursive: true });
  const runConfig = async (source: string, name: string) => {
    const bundle = await buildBundle(source, join(OUT, `${name}-bundle`), `profile-${name}`, {
      minify: false,
    });
    // As the benchmark measures it: without the queue consumer unless asked (config.queueConsumer).
    const leaveOut = config.queueConsumer ? [] : ["[[queues.consumers]]"];
    return writeRunConfig(source, bundle, join(OUT, `${name}.wrangler.toml`), leaveOut);
  };
  console.error("profile: building both bundles unminified");
  const serviceConfig = await runConfig(config.service.config, "service");
  const floorConfig = await runConfig(config.floor.config, "floor");
  const service = await startProfiled(
    serviceConfig,
    config.service.state,
    config.service.port,
    8794,
    config.service.vars,
  );
  const floor = await startProfiled(floorConfig, config.floor.state, config.floor.port, 8795, []);
  try {
    const bundles = {
      service: await findBundle(service.inspector),
      floor: await findBundle(floor.inspector),
    };
    const selected = pairs(
      { url: service.url, key: seeded.key },
      seeded.service,
      floor.url,
      seeded.floor,
    ).filter((p) => isSelected(p.name));
    const summary = [
      ["isolate CPU µs per request", "service", "floor", "service process", "floor process"],
    ];
    for (const pair of selected) {
      await check(pair.service);
      await check(pair.floor);
      console.error(`profile: ${pair.name}`);
      const file = pair.name.replace(/[^\w]+/g, "-").replace(/-$/, "");
      const sides = {
        service: await profileSide(
          service,
          bundles.service,
          pair.service,
          `${file}.service`,
          pair.reset,
        ),
        floor: await profileSide(floor, bundles.floor, pair.floor, `${file}.floor`),
      };
      report(pair, sides);
      summary.push([
        pair.name,
        us(sides.service.isolateUs),
        us(sides.floor.isolateUs),
        us(sides.service.processUs),
        us(sides.floor.processUs),
      ]);
    }
    console.log(`\n${table(summary, { rule: false })}`);
  } finally {
    service.inspector.close();
    floor.inspector.close();
    await Promise.all([service.worker.dispose(), floor.worker.dispose()]);
  }
}

// Run, unless imported (bench/gap.ts reuses the functions above).
if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  main().catch((err: unknown) => {
    console.error(err instanceof Error ? (err.stack ?? err.message) : err);
    process.exit(1);
  });
}
