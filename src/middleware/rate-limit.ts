import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { allowanceFrom, rateLimited, underLimit } from "../lib/rate-limiter";

/** Per API key allowance; the `unlimited` tier skips the limiter. Runs right after auth. */
export function rateLimit() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const { keyId, tier } = c.var.auth;
    if (tier === "unlimited") return next();
    if (await underLimit(c.env.RATE_LIMITER, keyId, c.var.requestId)) return next();
    const allowance = allowanceFrom(c.env.RATE_LIMIT_LIMIT, c.env.RATE_LIMIT_PERIOD_SECONDS, {
      limit: 600,
      period: 60,
    });
    throw rateLimited(allowance, Date.now());
  });
}
