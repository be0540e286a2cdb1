/**
 * `npm run bench`: the service against a minimal floor worker doing the same
 * D1 work, in the same run, on local workerd. Settings from the environment:
 * BENCH_DURATION (s per run, 2), BENCH_WARMUP (s, 1), BENCH_CONNECTIONS (10),
 * BENCH_ROUNDS (8), BENCH_ONLY (pairs whose name contains it, or one of a
 * comma-separated list), BENCH_INSPECTOR (off, on or both, the default),
 * BENCH_QUEUE_CONSUMER (on: keep the service's queue consumer running while
 * it is measured), BENCH_SERVICE_CONFIG (another checkout's wrangler.toml);
 * see lib/config.ts. Uses ports 8791 to 8793 and its own state in bench/.state.
 */
import { execFileSync } from "node:child_process";
import { cpSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { measureBundle } from "./lib/bundle";
import { config, isSelected, type Mode } from "./lib/config";
import { type Load, type Measurement, measure } from "./lib/load";
import { type PairResult, printReport, summarize, writeResults } from "./lib/report";
import { check, type Pair, pairs } from "./lib/scenarios";
import { createBenchKey, seedDeliveries, seedFloor, seedService } from "./lib/seed";
import {
  applyMigrations,
  assertPortFree,
  installCleanup,
  type RunningServer,
  startDev,
  stopAllAndWait,
} from "./lib/servers";
import { buildBundle, writeRunConfig } from "./lib/worker-config";

const step = (message: string) => console.error(`bench: ${message}`);

/**
 * Seeding writes hundreds of rows; the kernel then writes the dirty pages of
 * the service's database back to disk for seconds, on the same two cores. The
 * first pairs measured used to pay for that: flush it and wait it out.
 */
async function settle() {
  try {
    execFileSync("sync");
  } catch {
    // Not on this system: the pause alone still helps.
  }
  await new Promise((r) => setTimeout(r, config.settleMs));
}

/** This run's own logs (bench/.state/logs also holds those of `npm run storage:measure`). */
const OWN_LOGS = /^(service|floor|bundle|DB-|HISTORY_DB-)/;

function removeOwnLogs() {
  let names: string[];
  try {
    names = readdirSync(config.logs);
  } catch {
    return;
  }
  for (const name of names) if (OWN_LOGS.test(name)) rmSync(join(config.logs, name));
}

type Servers = { mode: Mode; service: RunningServer; floor: RunningServer };

/**
 * Both workers in one mode. One after the other: started together under
 * wrangler dev, both would pick the same free inspector port and the second
 * runtime would fail to start.
 */
async function start(mode: Mode, running: RunningServer[], seeding = false): Promise<Servers> {
  step(
    `starting the service on :${config.service.port} and the floor on :${config.floor.port} (inspector ${mode})`,
  );
  const inspector = mode === "on";
  // The seeding needs the queue consumer; the measurements run as config.queueConsumer says.
  const devConfig = seeding ? config.service.devConfig : config.service.measuredConfig;
  const service = await startDev(
    { ...config.service, devConfig },
    "/health",
    `service-${mode}.log`,
    inspector,
  );
  running.push(service);
  const floor = await startDev(config.floor, "/noop", `floor-${mode}.log`, inspector);
  running.push(floor);
  return { mode, service, floor };
}

async function stopAll(running: RunningServer[]) {
  await Promise.all(running.splice(0).map((s) => s.stop()));
}

async function measurePair(pair: Pair, servers: Servers): Promise<PairResult> {
  await check(pair.service);
  await check(pair.floor);
  // The CPU of the worker a load is sent to (an experiment may load the floor on both sides).
  const cpuOf = (load: Load) =>
    load.url === servers.floor.url ? servers.floor.cpuMs : servers.service.cpuMs;
  const serviceRuns: Measurement[] = [];
  const floorRuns: Measurement[] = [];
  const runService = async () =>
    serviceRuns.push(await measure({ ...pair.service, cpuMs: cpuOf(pair.service) }, pair.reset));
  const runFloor = async () =>
    floorRuns.push(await measure({ ...pair.floor, cpuMs: cpuOf(pair.floor) }));
  // Service-floor, then floor-service (ABBA): load that drifts steadily
  // across a pair weighs on both sides alike instead of on whoever runs second.
  for (let round = 1; round <= config.rounds; round++) {
    step(`${pair.name} (inspector ${servers.mode}): round ${round}/${config.rounds}`);
    if (round % 2 === 1) {
      await runService();
      await runFloor();
    } else {
      await runFloor();
      await runService();
    }
  }
  return summarize(servers.mode, pair.name, pair.kind, pair.floorRoute, serviceRuns, floorRuns);
}

async function main() {
  installCleanup();
  const ports = [config.service.port, config.floor.port, config.receiverPort];
  await Promise.all(ports.map(assertPortFree));

  // A fresh database every run: results never depend on what a previous run left.
  rmSync(config.service.state, { recursive: true, force: true });
  rmSync(config.floor.state, { recursive: true, force: true });
  removeOwnLogs();

  // Before the servers start, so the builds do not compete with them for CPU.
  // The service's [build] command also makes public/, of which both serve a copy.
  step("building both bundles (wrangler deploy --dry-run)");
  const bundle = await measureBundle();
  rmSync(config.floor.bundleDir, { recursive: true, force: true });
  const floorBundle = await buildBundle(
    config.floor.config,
    config.floor.bundleDir,
    "floor-bundle",
  );
  rmSync(config.assets, { recursive: true, force: true });
  cpSync(resolve(dirname(config.service.config), "public"), config.assets, { recursive: true });
  const serviceBundle = join(config.service.bundleDir, "index.js");
  writeRunConfig(config.service.config, serviceBundle, config.service.devConfig);
  writeRunConfig(
    config.service.config,
    serviceBundle,
    config.service.measuredConfig,
    config.queueConsumer ? [] : ["[[queues.consumers]]"],
  );
  writeRunConfig(config.floor.config, floorBundle, config.floor.devConfig);

  step("applying migrations to the benchmark's own local state");
  const databases = ["DB", "HISTORY_DB"];
  await Promise.all([
    applyMigrations(config.service, "migrate-service.log", databases),
    applyMigrations(config.floor, "migrate-floor.log", databases),
  ]);
  const key = await createBenchKey(config.service.state);

  const running: RunningServer[] = [];
  try {
    const [firstMode = "off"] = config.modes;
    let servers = await start(firstMode, running, true);

    const { groups, plans, groupSize, concurrency, deliveries } = config.seed;
    step(`seeding through the API: ${groups} groups, ${plans} plans, one group of ${groupSize}`);
    const api = { url: servers.service.url, key };
    const seeded = await seedService(api, {
      groups,
      plans,
      groupSize,
      concurrency,
      free: config.connections,
    });
    step(`seeding ${deliveries} webhook deliveries (through the worker's queue consumer)`);
    const { endpointId } = await seedDeliveries(api, {
      planIds: seeded.planIds,
      deliveries,
      receiverPort: config.receiverPort,
    });
    // As many events as the service's writes recorded (one per write).
    const events = groups + plans + groupSize + deliveries;
    const floorSeed = await seedFloor(servers.floor.url, {
      groups,
      plans,
      groupSize,
      events,
      deliveries,
    });
    // For `npm run bench:profile`, which profiles this state.
    writeFileSync(
      config.seeded,
      JSON.stringify({ key, service: { ...seeded, endpointId }, floor: floorSeed }, null, 2),
    );
    // Seeded: from here on the service runs as measured.
    await stopAll(running);
    servers = await start(firstMode, running);
    step("letting the machine settle after seeding");
    await settle();

    const selected = pairs(api, { ...seeded, endpointId }, servers.floor.url, floorSeed).filter(
      (p) => isSelected(p.name),
    );
    // Reads first, in every mode, then writes: the writes record events, which
    // would change the page the events list reads in the next mode.
    const phases = [
      selected.filter((p) => p.kind !== "write"),
      selected.filter((p) => p.kind === "write"),
    ];
    const results: PairResult[] = [];
    const restart = async (mode: Mode) => {
      await stopAll(running);
      servers = await start(mode, running);
      await settle();
    };
    for (const phase of phases) {
      if (phase.length === 0) continue;
      for (const mode of config.modes) {
        if (servers.mode !== mode) await restart(mode);
        for (const pair of phase) {
          const attempt = () =>
            measurePair(pair, servers).then(
              (result) => ({ result }),
              (error: unknown) => ({ error }),
            );
          let outcome = await attempt();
          // A worker that died under it (or was killed by a process outside the
          // benchmark) is started again, and the pair measured again, once.
          if (!servers.service.alive() || !servers.floor.alive()) {
            step(`${pair.name}: a worker exited; restarting both to measure the pair again`);
            await restart(mode);
            outcome = await attempt();
          }
          if ("error" in outcome) throw outcome.error;
          results.push(outcome.result);
          // After every pair, so a run that fails later still leaves what it measured.
          writeResults(results, bundle, false);
        }
      }
    }

    const order = new Map(selected.map((p, i) => [p.name, i]));
    results.sort(
      (a, b) =>
        config.modes.indexOf(a.mode) - config.modes.indexOf(b.mode) ||
        (order.get(a.name) ?? 0) - (order.get(b.name) ?? 0),
    );
    printReport(results, bundle);
    writeResults(results, bundle, true);
    step(`wrote ${config.results}`);
  } finally {
    await stopAll(running);
  }
}

main().catch(async (err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  await stopAllAndWait();
  process.exit(1);
});
