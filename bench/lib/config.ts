import { resolve } from "node:path";

function numberFromEnv(name: string, fallback: number, min: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!(value >= min)) throw new Error(`${name} must be a number >= ${min}, got ${raw}`);
  return value;
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
  /** Only the pairs whose name contains this (BENCH_ONLY=reorder): for a quick look at one. */
  only: process.env.BENCH_ONLY ?? "",
  /**
   * BENCH_INSPECTOR=off runs both workers without wrangler dev's DevTools
   * inspector, which costs every D1 call a few ms of CPU (bench/lib/launch.ts):
   * to see the workers' own costs. The targets are set for the default.
   */
  inspector: process.env.BENCH_INSPECTOR !== "off",
  /** Pause after seeding, before the first measurement. */
  settleMs: 5000,
  service: {
    port: 8791,
    /** What deploys: the bundle is measured from it. */
    config: resolve(ROOT, "wrangler.toml"),
    /** What runs: the same without Static Assets (see lib/service-config.ts). */
    devConfig: resolve(BENCH_DIR, ".state/service.wrangler.toml"),
    state: resolve(BENCH_DIR, ".state/service"),
    // The floor logs nothing, and wrangler dev relays each log line through its
    // own process (a local cost that halves /health); Workers Logs has no such cost.
    // A throwaway encryption key: without one /health answers 503 (not ready).
    vars: [
      "REQUEST_LOGS:off",
      `ENCRYPTION_KEY:${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64")}`,
    ],
  },
  floor: {
    port: 8792,
    config: resolve(BENCH_DIR, "floor/wrangler.toml"),
    devConfig: resolve(BENCH_DIR, "floor/wrangler.toml"),
    state: resolve(BENCH_DIR, ".state/floor"),
    vars: [] as string[],
  },
  logs: resolve(BENCH_DIR, ".state/logs"),
  bundleOut: resolve(BENCH_DIR, ".out"),
  results: resolve(BENCH_DIR, "results.json"),
  seed: { groups: 200, plans: 500, groupSize: 20, concurrency: 8 },
  /** Reads must reach this share of their floor's req/s, writes the second. */
  targets: { read: 0.8, write: 0.7 },
  bundleGzipLimitKiB: 150,
};

export type ServerConfig = typeof config.service;
