/**
 * `npm run bench`: the service against a minimal floor worker doing the same
 * D1 work, in the same run, on local workerd. Settings from the environment:
 * BENCH_DURATION (s per run, 2), BENCH_WARMUP (s, 1), BENCH_CONNECTIONS (10),
 * BENCH_ROUNDS (8), BENCH_ONLY (a pair's name, or part of it), BENCH_INSPECTOR
 * (off: no DevTools inspector). Uses ports 8791 and 8792 and its own state in
 * bench/.state.
 */
import { execFileSync } from "node:child_process";
import { rmSync } from "node:fs";
import { measureBundle } from "./lib/bundle";
import { config } from "./lib/config";
import { type Measurement, measure } from "./lib/load";
import { type PairResult, printReport, summarize, writeResults } from "./lib/report";
import { check, pairs } from "./lib/scenarios";
import { createBenchKey, seedFloor, seedService } from "./lib/seed";
import {
  applyMigrations,
  assertPortFree,
  installCleanup,
  type RunningServer,
  startDev,
  stopAllAndWait,
} from "./lib/servers";
import { writeServiceConfig } from "./lib/service-config";

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

async function main() {
  installCleanup();
  await Promise.all([assertPortFree(config.service.port), assertPortFree(config.floor.port)]);

  // A fresh database every run: results never depend on what a previous run left.
  rmSync(config.service.state, { recursive: true, force: true });
  rmSync(config.floor.state, { recursive: true, force: true });
  rmSync(config.logs, { recursive: true, force: true });
  writeServiceConfig();

  // Before the servers start, so the build does not compete with them for CPU.
  step("building the deployable bundle (wrangler deploy --dry-run)");
  const bundle = await measureBundle();

  step("applying migrations to the benchmark's own local state");
  await Promise.all([
    applyMigrations(config.service, "migrate-service.log", ["DB", "HISTORY_DB"]),
    applyMigrations(config.floor, "migrate-floor.log"),
  ]);
  const key = await createBenchKey(config.service.state);

  step(`starting the service on :${config.service.port} and the floor on :${config.floor.port}`);
  const servers: RunningServer[] = [];
  try {
    // One after the other: started together, both would pick the same free
    // inspector port and the second runtime would fail to start.
    const service = await startDev(config.service, "/health", "service.log");
    servers.push(service);
    const floor = await startDev(config.floor, "/noop", "floor.log");
    servers.push(floor);

    const { groups, plans, groupSize, concurrency } = config.seed;
    step(`seeding through the API: ${groups} groups, ${plans} plans, one group of ${groupSize}`);
    const api = { url: service.url, key };
    const seeded = await seedService(api, {
      groups,
      plans,
      groupSize,
      concurrency,
      free: config.connections,
    });
    const floorSeed = await seedFloor(floor.url, { groups, plans, groupSize });
    step("letting the machine settle after seeding");
    await settle();

    const results: PairResult[] = [];
    const selected = pairs(api, seeded, floor.url, floorSeed).filter((p) =>
      p.name.includes(config.only),
    );
    for (const pair of selected) {
      await check(pair.service);
      await check(pair.floor);
      const serviceRuns: Measurement[] = [];
      const floorRuns: Measurement[] = [];
      const runService = async () =>
        serviceRuns.push(await measure({ ...pair.service, cpuMs: service.cpuMs }, pair.reset));
      const runFloor = async () =>
        floorRuns.push(await measure({ ...pair.floor, cpuMs: floor.cpuMs }));
      // Service-floor, then floor-service (ABBA): load that drifts steadily
      // across a pair weighs on both sides alike instead of on whoever runs second.
      for (let round = 1; round <= config.rounds; round++) {
        step(`${pair.name}: round ${round}/${config.rounds}`);
        if (round % 2 === 1) {
          await runService();
          await runFloor();
        } else {
          await runFloor();
          await runService();
        }
      }
      results.push(summarize(pair.name, pair.kind, pair.floorRoute, serviceRuns, floorRuns));
    }

    printReport(results, bundle);
    writeResults(results, bundle);
    step(`wrote ${config.results}`);
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
}

main().catch(async (err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  await stopAllAndWait();
  process.exit(1);
});
