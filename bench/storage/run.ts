/**
 * `npm run storage:measure`: what a row of each table costs in D1, the write
 * rate at which each database reaches D1's 10 GB, and whether the webhook
 * purge deletes a day of history faster than the service writes one. Runs
 * bench/storage/worker.ts in local workerd on a throwaway state
 * (bench/.state/storage, made afresh each run; never .wrangler/): the sizes,
 * then history 31 days old written in bulk, then more written by the
 * pipeline's own statements (timed), then purged (timed). Settings from the
 * environment: STORAGE_ROWS (rows per table for the sizes, 5000),
 * STORAGE_FILL_EVENTS (events written in bulk, 60000), STORAGE_WRITE_EVENTS
 * (events written by the pipeline's statements, 3000), STORAGE_CONCURRENCY
 * (events written at once, 8), STORAGE_DEBUG (a line per step). About two
 * minutes.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import { BENCH_DIR, ROOT } from "../lib/config";
import { installCleanup, runWrangler } from "../lib/servers";
import type { RowSize } from "./measure";
import {
  catalogBytes,
  catalogLimitRate,
  D1_LIMIT_BYTES,
  historyBytesPerEvent,
  historyLimitRate,
  PREVIOUS_SHARE,
  PURGE_BUDGET_S,
  PURGE_RUNS_PER_DAY,
  purgeRunsFor,
  rowsInFullHistory,
  rowsPerEvent,
  SCENARIOS,
  sizesOf,
} from "./report";

// Before wrangler loads: no metrics, no `Request.cf` download, its debug log in the run's state.
const STATE = resolve(BENCH_DIR, ".state/storage");
process.env.WRANGLER_SEND_METRICS = "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
process.env.WRANGLER_LOG_PATH = resolve(STATE, "wrangler.debug.log");

const setting = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!(value >= 1)) throw new Error(`${name} must be a number >= 1`);
  return Math.round(value);
};
const ROWS = setting("STORAGE_ROWS", 5000);
const WRITE_EVENTS = setting("STORAGE_WRITE_EVENTS", 3000);
const FILL_EVENTS = setting("STORAGE_FILL_EVENTS", 60_000);
const CONCURRENCY = setting("STORAGE_CONCURRENCY", 8);

const DAY_MS = 86_400_000;
const step = (message: string) => console.error(`storage: ${message}`);
const n = (x: number, digits = 0) =>
  x.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/**
 * The measurement worker's config: its two databases with the service's
 * migrations. `bundled`: the worker already built, run as is. wrangler's
 * own bundler watches every source file and reloads the worker when one
 * changes, which would cut a step short mid-run.
 */
function writeConfig(bundled: string | null): string {
  // The service's own runtime date, so the worker runs what the service runs.
  const date = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(
    readFileSync(resolve(ROOT, "wrangler.toml"), "utf8"),
  )?.[1];
  if (!date) throw new Error("no compatibility_date in wrangler.toml");
  const database = (binding: string, name: string, id: string, dir: string) =>
    `[[d1_databases]]\nbinding = "${binding}"\ndatabase_name = "${name}"\ndatabase_id = "${id}"\nmigrations_dir = ${JSON.stringify(resolve(ROOT, dir))}\n`;
  const path = resolve(STATE, "wrangler.toml");
  writeFileSync(
    path,
    [
      `name = "storage-measure"`,
      `main = ${JSON.stringify(bundled ?? resolve(BENCH_DIR, "storage/worker.ts"))}`,
      bundled ? "no_bundle = true" : "",
      `compatibility_date = "${date}"`,
      `compatibility_flags = ["nodejs_compat"]`,
      "",
      database("DB", "storage-catalog", "00000000-0000-0000-0000-00000000000a", "migrations"),
      database(
        "HISTORY_DB",
        "storage-history",
        "00000000-0000-0000-0000-00000000000b",
        "migrations-history",
      ),
    ].join("\n"),
  );
  return path;
}

/** Builds the worker once (wrangler's dry run), and returns the config that runs the build. */
async function build(): Promise<string> {
  const out = resolve(STATE, "build");
  await runWrangler(
    ["deploy", "--dry-run", "--outdir", out, "-c", writeConfig(null)],
    "storage-build.log",
  );
  return writeConfig(resolve(out, "worker.js"));
}

async function main() {
  installCleanup();
  rmSync(STATE, { recursive: true, force: true });
  mkdirSync(STATE, { recursive: true });
  step("building the measurement worker, applying the migrations to a fresh local state");
  const config = await build();
  for (const binding of ["DB", "HISTORY_DB"]) {
    await runWrangler(
      ["d1", "migrations", "apply", binding, "--local", "--persist-to", STATE, "-c", config],
      `storage-${binding}.log`,
    );
  }
  const { unstable_startWorker } = await import("wrangler");
  const worker = await unstable_startWorker({
    config,
    dev: {
      remote: false,
      inspector: false,
      persist: STATE,
      server: { hostname: "127.0.0.1", port: 0 },
      logLevel: "warn",
      watch: false,
    },
  });
  try {
    // A worker that fails to start never gets ready: give up rather than wait forever.
    await Promise.race([
      worker.ready,
      new Promise((_, fail) =>
        setTimeout(() => fail(new Error("the worker did not start within 60 s")), 60_000).unref(),
      ),
    ]);
    const call = async <T>(path: string, params: Record<string, number>) => {
      const query = new URLSearchParams(
        Object.entries(params).map(([k, v]) => [k, String(v)]),
      ).toString();
      const started = performance.now();
      // Every step is a short request; one that hangs (local workerd sometimes does) fails the run.
      const res = await worker.fetch(`http://storage.local${path}?${query}`, {
        signal: AbortSignal.timeout(120_000),
      });
      const seconds = (performance.now() - started) / 1000;
      if (process.env.STORAGE_DEBUG) step(`${path}?${query}: ${seconds.toFixed(2)} s`);
      if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
      return { body: (await res.json()) as T, seconds };
    };

    step(`bytes per row: ${n(ROWS)} typical rows into each table`);
    const { body: rows } = await call<RowSize[]>("/sizes", { rows: ROWS });
    const sizes = sizesOf(rows);

    const now = Date.now();
    const old = now - 31 * DAY_MS;
    // First, so the pipeline writes (and the purge deletes) at a size where indexes no longer fit in a page or two.
    step(`writing ${n(FILL_EVENTS)} events 31 days old, in bulk, for the purge`);
    const FILL_CALL = 1_000;
    for (let from = 0; from < FILL_EVENTS; from += FILL_CALL) {
      const events = Math.min(FILL_CALL, FILL_EVENTS - from);
      await call("/fill", { events, deliveries: 1, start: old, from });
    }
    step(`writing ${n(WRITE_EVENTS)} more as the pipeline does (1 delivery, 1 attempt each)`);
    // A request per 100 events, as a queue consumer's invocation handles a batch of messages.
    const written = { rows: 0, seconds: 0 };
    for (let from = 0; from < WRITE_EVENTS; from += 100) {
      const { body, seconds } = await call<{ rows: number }>("/write", {
        events: Math.min(100, WRITE_EVENTS - from),
        from: FILL_EVENTS + from,
        deliveries: 1,
        start: old,
        concurrency: CONCURRENCY,
      });
      written.rows += body.rows;
      written.seconds += seconds;
    }
    const { body: before } = await call<{ rows: number }>("/count", {});

    // Runs of 2 s rather than the cron's 20 s: the rate is the same (each chunk
    // is its own statement), and a local request of many seconds sometimes
    // leaves the next one hanging.
    step("purging, run after run, as the cron does (2 s a run)");
    let purged = 0;
    let purgeSeconds = 0;
    let runs = 0;
    for (;;) {
      const { body, seconds } = await call<{
        events: number;
        deliveries: number;
        attempts: number;
        complete: boolean;
      }>("/purge", { now, budget: 2000 });
      purged += body.events + body.deliveries + body.attempts;
      purgeSeconds += seconds;
      runs += 1;
      if (body.complete) break;
    }
    const { body: after } = await call<{ rows: number }>("/count", {});

    const writeEventsPerS = WRITE_EVENTS / written.seconds;
    const writeRowsPerS = written.rows / written.seconds;
    const purgeRowsPerS = purged / purgeSeconds;

    console.log("\n## Bytes per row (table and indexes), local D1\n");
    console.log("| database | table | typical row | bytes per row |");
    console.log("| --- | --- | --- | ---: |");
    for (const r of rows) {
      console.log(`| ${r.database} | \`${r.table}\` | ${r.label} | ${n(r.bytesPerRow)} |`);
    }

    console.log(
      `\n## History: events per second that fill 10 GB in 30 days (${n(PREVIOUS_SHARE * 100)}% of events with \`previous\`)\n`,
    );
    console.log("| per event | bytes per event | events/s to reach 10 GB | events a day |");
    console.log("| --- | ---: | ---: | ---: |");
    for (const s of SCENARIOS) {
      const rate = historyLimitRate(sizes, s);
      console.log(
        `| ${s.name} | ${n(historyBytesPerEvent(sizes, s))} | ${n(rate, 1)} | ${n(rate * 86_400)} |`,
      );
    }

    const catalog = catalogBytes(sizes, 10_000);
    const catalogRate = catalogLimitRate(sizes, catalog);
    console.log("\n## Catalog\n");
    console.log(
      `10,000 organizations (50 plans, 10 groups, 2 endpoints, 5 keys each): ${n(catalog / 1e6)} MB.`,
    );
    console.log(
      `Every write keyed and firing one event: ${n(catalogRate, 0)} writes/s sustained reach 10 GB besides that catalog (idempotency ${n(sizes.idempotency)} B kept 24.5 h, outbox ${n(sizes.outbox)} B kept ~41 min).`,
    );

    console.log("\n## Purge against writes\n");
    const perDay = purgeRowsPerS * PURGE_RUNS_PER_DAY * PURGE_BUDGET_S;
    const one = SCENARIOS[1] ?? { name: "", deliveries: 1, attempts: 1 };
    console.log(
      `purged: ${n(purged)} of ${n(before.rows)} rows (${n(after.rows)} left) in ${runs} runs of at most 2 s, ${n(purgeSeconds, 1)} s = ${n(purgeRowsPerS)} rows/s; ${PURGE_RUNS_PER_DAY} runs of ${PURGE_BUDGET_S} s a day delete ${n(perDay)} rows`,
    );
    console.log(
      `written by the pipeline's statements (1 delivery, 1 attempt per event, ${CONCURRENCY} events at once): ${n(written.rows)} rows in ${n(written.seconds, 1)} s = ${n(writeEventsPerS)} events/s, ${n(writeRowsPerS)} rows/s; per row the purge is ${n(purgeRowsPerS / writeRowsPerS)}× faster`,
    );
    console.log(
      `a day at that rate: ${n(writeRowsPerS * 86_400)} rows, ${n((writeEventsPerS * 86_400 * historyBytesPerEvent(sizes, one)) / 1e9)} GB (the database holds ${n(D1_LIMIT_BYTES / 1e9)}); the purge needs ${n(purgeRunsFor(writeRowsPerS * 86_400, purgeRowsPerS))} runs for it`,
    );
    console.log(
      "\n| per event | rows per event | rows in a full 10 GB history | purge runs to delete them (48 a day) | a day at the 10 GB rate: rows | purge time for it |",
    );
    console.log("| --- | ---: | ---: | ---: | ---: | ---: |");
    for (const s of SCENARIOS) {
      const full = rowsInFullHistory(sizes, s);
      const day = historyLimitRate(sizes, s) * 86_400 * rowsPerEvent(s);
      console.log(
        `| ${s.name} | ${n(rowsPerEvent(s), 2)} | ${n(full)} | ${n(purgeRunsFor(full, purgeRowsPerS), 1)} | ${n(day)} | ${n(day / purgeRowsPerS)} s |`,
      );
    }
    console.log(`D1 limit used: ${n(D1_LIMIT_BYTES / 1e9)} GB.`);
  } finally {
    await worker.dispose();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
