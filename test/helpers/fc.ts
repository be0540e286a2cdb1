import { env } from "cloudflare:test";
import type fc from "fast-check";

/**
 * Bounded runs so CI stays fast. On failure fast-check prints
 * `{ seed, path }` and the counterexample; replay exactly that case with
 * `FC_SEED=<seed> FC_PATH=<path> npx vitest run <file>`, or search harder
 * with `FC_RUNS=2000`.
 */
export function fcParams<T>(numRuns: number): fc.Parameters<T> {
  const seed = Number.parseInt(env.FC_SEED, 10);
  const runs = Number.parseInt(env.FC_RUNS, 10);
  return {
    numRuns: Number.isFinite(runs) && runs > 0 ? runs : numRuns,
    ...(Number.isFinite(seed) ? { seed } : {}),
    ...(env.FC_PATH ? { path: env.FC_PATH } : {}),
  };
}
