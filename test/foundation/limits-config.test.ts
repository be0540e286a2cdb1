import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";

type Deployed = {
  ratelimits: { name: string; simple: { limit: number; period: number } }[];
  vars: Record<string, string>;
};

/**
 * The Rate Limiting binding only answers allowed or not, so the numbers the
 * RateLimit-* headers tell live in vars too (src/middleware/rate-limit.ts
 * reads them in one place). This holds them to the bindings they describe.
 */
describe("wrangler.toml's rate limits", () => {
  const deployed = JSON.parse(env.DEPLOYED_LIMITS) as Deployed;
  const binding = (name: string) => deployed.ratelimits.find((r) => r.name === name)?.simple;

  it.each([
    ["RATE_LIMITER", "RATE_LIMIT_LIMIT", "RATE_LIMIT_PERIOD_SECONDS"],
    ["AUTH_FAILURE_LIMITER", "AUTH_FAILURE_LIMIT", "AUTH_FAILURE_PERIOD_SECONDS"],
  ])("%s agrees with %s and %s", (name, limitVar, periodVar) => {
    const simple = binding(name);
    expect(simple).toBeDefined();
    expect(String(simple?.limit)).toBe(deployed.vars[limitVar]);
    expect(String(simple?.period)).toBe(deployed.vars[periodVar]);
  });

  it("tells the contract's allowances", () => {
    expect(binding("RATE_LIMITER")).toEqual({ limit: 600, period: 60 });
    expect(binding("AUTH_FAILURE_LIMITER")).toEqual({ limit: 100, period: 60 });
  });
});
