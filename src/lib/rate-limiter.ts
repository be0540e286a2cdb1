import { ApiError } from "../errors";
import { logLine } from "./log";

/*
 * What every Rate Limiting binding needs around it: the numbers it does not
 * report, the 429 it leads to, failing open. Shared by the per-key limit
 * (src/middleware/rate-limit.ts) and the failed-authentication throttle
 * (src/auth/failure-throttle.ts).
 */

/** A limiter's allowance: `limit` requests per `period` seconds. */
type Allowance = { limit: number; period: number };

/**
 * The binding answers only `{ success }`, so the numbers for the headers come
 * from vars that must match the `[[ratelimits]]` entry in wrangler.toml.
 */
export function allowanceFrom(
  limitVar: string | undefined,
  periodVar: string | undefined,
  fallback: Allowance,
): Allowance {
  const limit = Number(limitVar);
  const period = Number(periodVar);
  return {
    limit: Number.isInteger(limit) && limit > 0 ? limit : fallback.limit,
    period: Number.isInteger(period) && period > 0 ? period : fallback.period,
  };
}

/**
 * The binding does not report when its window ends. Windows are assumed to be
 * aligned to the clock (as the local implementation's are), so this is the
 * time left in the current one: never more than one period.
 */
export function secondsToReset(period: number, now: number): number {
  return period - (Math.floor(now / 1000) % period);
}

/** The 429 for a limiter that said no, with `Retry-After` and the `RateLimit-*` headers. */
export function rateLimited({ limit, period }: Allowance, now: number, message?: string) {
  const reset = String(secondsToReset(period, now));
  return new ApiError("rate_limited", {
    ...(message ? { message } : {}),
    details: { limit, periodSeconds: period },
    headers: {
      "Retry-After": reset,
      "RateLimit-Limit": String(limit),
      "RateLimit-Remaining": "0",
      "RateLimit-Reset": reset,
    },
  });
}

/**
 * Asks a limiter; a limiter that fails lets the request through (fail open: a
 * limiter hiccup must not take the API down with it) and is logged.
 */
export async function underLimit(limiter: RateLimit, key: string, requestId: string) {
  try {
    return (await limiter.limit({ key })).success;
  } catch (err) {
    logLine("error", "rate limiter unavailable", { requestId }, err);
    return true;
  }
}
