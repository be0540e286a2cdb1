import { resolve } from "node:path";

function numberFromEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!(value >= min)) throw new Error(`${name} must be a number >= ${min}, got ${raw}`);
  return value;
}

export type Mode = "off" | "on";

function inspectorModes(raw: string | undefined): Mode[] {
  if (raw === undefined || raw === "" || raw === "both") return ["off", "on"];
  if (raw === "off" || raw === "on") return [raw];
  throw new Error(`BENCH_INSPECTOR must be off, on or both, got ${raw}`);
}

export const ROOT = resolve(import.meta.dirname, "../..");
export const BENCH_DIR = resolve(ROOT, "bench");

export const config = {
  /** Seconds measured per run; each pair runs `rounds` times per side. */
  duration: numberFromEnv("BENCH_DURATION", 2, 1),
  /** Seconds of discarded load before every measured run. */
  warmup: numberFromEnv("BENCH_WARMUP", 1, 0),
  connections: Math.round(numberFromEnv("BENCH_CONNECTIONS", 10, 1)),
  /**
   * Short runs, alternated often, spread drift in machine load over both sides;
   * the median of 8 per-round ratios wanders about a third less than that of 4.
   */
  rounds: Math.round(numberFromEnv("BENCH_ROUNDS", 8, 1)),
  /** Only the pairs whose name contains this, or one of these (BENCH_ONLY=reorder,add): for a quick look. */
  only: (process.env.BENCH_ONLY ?? "").split(","),
  /**
   * How the workers run, in this order: `off`, the headline, without wrangler
   * dev's DevTools inspector (closer to a deployed worker: bench/lib/launch.ts);
   * `on`, under `wrangler dev` with it, where every D1 call is reported with
   * its whole response body. BENCH_INSPECTOR=off or =on runs only that one.
   */
  modes: inspectorModes(process.env.BENCH_INSPECTOR),
  /**
   * Whether the service runs its webhook queue consumer while it is measured.
   * Every write's event is handed on to history by the consumer (four D1 round
   * trips per event, in batches): deployed, a separate invocation, billed
   * apart and on another machine; locally, in the same workerd, on the same
   * two cores, during the next measurement. BENCH_QUEUE_CONSUMER=on keeps it.
   * The seeding always runs it (its events and deliveries need it).
   */
  queueConsumer: process.env.BENCH_QUEUE_CONSUMER === "on",
  /** Pause after seeding, before the first measurement. */
  settleMs: 5000,
  service: {
    port: 8791,
    /**
     * What deploys: the bundle is built and measured from it. BENCH_SERVICE_CONFIG
     * names another checkout's wrangler.toml: to measure code as it was (a
     * `git archive` of an earlier commit) against the same floor and data.
     */
    config: process.env.BENCH_SERVICE_CONFIG || resolve(ROOT, "wrangler.toml"),
    /** Where its dry run puts the bundle. */
    bundleDir: resolve(BENCH_DIR, ".out"),
    /** What runs: that bundle as it is (see lib/worker-config.ts). */
    devConfig: resolve(BENCH_DIR, ".state/service.wrangler.toml"),
    /** The same without its queue consumer, for the measurements (see queueConsumer). */
    measuredConfig: resolve(BENCH_DIR, ".state/service-measured.wrangler.toml"),
    state: resolve(BENCH_DIR, ".state/service"),
    // The floor logs nothing, and wrangler dev relays each log line through its
    // own process (a local cost that halves /health); Workers Logs has no such cost.
    // A throwaway encryption key: without one /health answers 503 (not ready).
    // Loopback webhooks: the seeding delivers to a receiver of its own.
    vars: [
      "REQUEST_LOGS:off",
      `ENCRYPTION_KEY:${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64")}`,
      "WEBHOOK_ALLOW_LOOPBACK:true",
    ],
  },
  floor: {
    port: 8792,
    config: resolve(BENCH_DIR, "floor/wrangler.toml"),
    bundleDir: resolve(BENCH_DIR, ".state/floor-bundle"),
    devConfig: resolve(BENCH_DIR, ".state/floor.wrangler.toml"),
    state: resolve(BENCH_DIR, ".state/floor"),
    vars: [] as string[],
  },
  logs: resolve(BENCH_DIR, ".state/logs"),
  /**
   * The bench's own copy of public/ (the Static Assets), which both workers
   * serve: wrangler watches an assets directory even without `watch`, and
   * public/ is rewritten by every [build] (npm run dev, the browser test, a
   * deploy), which would reload both workers in the middle of a run.
   */
  assets: resolve(BENCH_DIR, ".state/assets"),
  results: resolve(BENCH_DIR, "results.json"),
  /** The last run's key and seeded IDs, which `npm run bench:profile` reuses with its state. */
  seeded: resolve(BENCH_DIR, ".state/seeded.json"),
  seed: { groups: 200, plans: 500, groupSize: 20, concurrency: 8, deliveries: 30 },
  /** Where the seeding's webhook deliveries go (seed.ts). */
  receiverPort: 8793,
  /**
   * Reads must reach this share of their floor's req/s, writes the second:
   * per mode (the inspector-on targets are the ones set before it was off by default).
   */
  targets: { off: { read: 0.9, write: 0.8 }, on: { read: 0.8, write: 0.7 } } satisfies Record<
    Mode,
    { read: number; write: number }
  >,
  bundleGzipLimitKiB: 150,
};

/** What it takes to run one worker (servers.ts). */
/** Whether a comma-separated selection (`BENCH_ONLY`, `GAP_ONLY`) names `name`: a part of it, or any name when empty. */
export const selects = (only: string[], name: string) => only.some((part) => name.includes(part));

/** Whether BENCH_ONLY selects the pair named `name`. */
export const isSelected = (name: string) => selects(config.only, name);

export type ServerConfig = { port: number; devConfig: string; state: string; vars: string[] };
