import { createMiddleware } from "hono/factory";
import type { AppEnv, Bindings } from "../env";
import { ApiError } from "../errors";

const DEFAULT_LIMIT = 600;
const DEFAULT_PERIOD_SECONDS = 60;

/**
 * The binding answers only `{ success }`, so the numbers for the headers come
 * from vars that must match the `[[ratelimits]]` entry in wrangler.toml.
 */
function allowance(env: Bindings) {
  const limit = Number(env.RATE_LIMIT_LIMIT);
  const period = Number(env.RATE_LIMIT_PERIOD_SECONDS);
  return {
    limit: Number.isInteger(limit) && limit > 0 ? limit : DEFAULT_LIMIT,
    period: Number.isInteger(period) && period > 0 ? period : DEFAULT_PERIOD_SECONDS,
  };
}

/**
 * The binding does not report when its window ends. Windows are assumed to be
 * aligned to the clock (as the local implementation's are), so this is the
 * time left in the current one: never more than one period.
 */
function secondsToReset(period: number, now: number): number {
  return period - (Math.floor(now / 1000) % period);
}

/** Per API key allowance; the `unlimited` tier skips the limiter. Runs right after auth. */
export function rateLimit() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const { keyId, tier } = c.var.auth;
    if (tier === "unlimited") return next();
    let success = true;
    try {
      ({ success } = await c.env.RATE_LIMITER.limit({ key: keyId }));
    } catch (err) {
      // Fail open: a limiter hiccup must not take the API down with it.
      console.error(
        JSON.stringify({
          level: "error",
          requestId: c.get("requestId"),
          message: "rate limiter unavailable",
          error: err instanceof Error ? err.message : String(err),
        }),
      );
    }
    if (success) return next();
    const { limit, period } = allowance(c.env);
    const reset = String(secondsToReset(period, Date.now()));
    throw new ApiError("rate_limited", {
      details: { limit, periodSeconds: period },
      headers: {
        "Retry-After": reset,
        "RateLimit-Limit": String(limit),
        "RateLimit-Remaining": "0",
        "RateLimit-Reset": reset,
      },
    });
  });
}
