import type { Context } from "hono";
import type { AppEnv, Auth } from "../env";
import { allowanceFrom, rateLimited, underLimit } from "../lib/rate-limiter";

/** Per API key allowance, right after auth; the `unlimited` tier skips the limiter. 429 past it. */
export async function enforceRateLimit(c: Context<AppEnv>, { keyId, tier }: Auth): Promise<void> {
  if (tier === "unlimited") return;
  if (await underLimit(c.env.RATE_LIMITER, keyId, c.get("requestId"))) return;
  const allowance = allowanceFrom(c.env.RATE_LIMIT_LIMIT, c.env.RATE_LIMIT_PERIOD_SECONDS, {
    limit: 600,
    period: 60,
  });
  throw rateLimited(allowance, Date.now());
}
