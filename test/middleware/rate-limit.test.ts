import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { pinKvKey } from "../../src/versions/ids";
import { call, expectError } from "../helpers/http";
import { createKey, uniqueOrg } from "../helpers/keys";
import { awayFromWindowEdge as awayFromEdge } from "../helpers/rate-limit";

const LIMIT = Number(env.RATE_LIMIT_LIMIT);
const PERIOD = Number(env.RATE_LIMIT_PERIOD_SECONDS);

const list = (key: string) => call("GET", "/api/v1/plan-groups", { headers: { "x-api-key": key } });

const awayFromWindowEdge = () => awayFromEdge(PERIOD);

async function burst(key: string, n: number) {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push((await list(key)).status);
  return statuses;
}

describe("rate limiting", () => {
  it("answers the request past the allowance with 429 and the RateLimit headers", async () => {
    const { key } = await createKey(uniqueOrg(), "test", { tier: "standard" });
    await awayFromWindowEdge();
    expect(await burst(key, LIMIT)).toEqual(Array(LIMIT).fill(200));

    const res = await list(key);
    expectError(res, 429, "rate_limited");
    expect(res.body.error?.type).toBe("rate_limit_error");
    expect(res.body.error?.details).toEqual({ limit: LIMIT, periodSeconds: PERIOD });
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(PERIOD);
    expect(res.headers.get("ratelimit-limit")).toBe(String(LIMIT));
    expect(res.headers.get("ratelimit-remaining")).toBe("0");
    expect(res.headers.get("ratelimit-reset")).toBe(String(retryAfter));
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
  });

  it("shapes the 429 by the organization's pinned version, like every other answer", async () => {
    const orgId = uniqueOrg();
    await env.API_KEYS.put(pinKvKey(orgId), "2026-07-11");
    const { key } = await createKey(orgId, "test", { tier: "standard" });
    await awayFromWindowEdge();
    await burst(key, LIMIT);
    const res = await list(key);
    expect(res.status).toBe(429);
    expect(res.headers.get("commet-version")).toBe("2026-07-11");
    expect(res.body).toMatchObject({
      success: false,
      error: { type: "rate_limit_error", code: "rate_limited" },
    });
  });

  it("counts requests naming an unknown version: 400 within the allowance, 429 past it", async () => {
    const { key } = await createKey(uniqueOrg(), "test", { tier: "standard" });
    const unknown = () =>
      call("GET", "/api/v1/plan-groups", {
        headers: { "x-api-key": key, "commet-version": "2020-01-01" },
      });
    await awayFromWindowEdge();
    for (let i = 0; i < LIMIT; i++)
      expectError(await unknown(), 400, "validation_error", "Commet-Version");
    expectError(await unknown(), 429, "rate_limited");
    expect((await list(key)).status).toBe(429);
  });

  it("limits writes before reading their body", async () => {
    const { key } = await createKey(uniqueOrg(), "test", { tier: "standard" });
    await awayFromWindowEdge();
    await burst(key, LIMIT);
    const res = await call("POST", "/api/v1/plan-groups", {
      headers: { "x-api-key": key, "content-type": "text/plain" },
      rawBody: "not json",
    });
    expectError(res, 429, "rate_limited");
  });

  it("counts per key: another key of the same organization is unaffected", async () => {
    const org = uniqueOrg();
    const first = await createKey(org, "test", { tier: "standard" });
    const second = await createKey(org, "test", { tier: "standard" });
    await awayFromWindowEdge();
    await burst(first.key, LIMIT);
    expect((await list(first.key)).status).toBe(429);
    expect((await list(second.key)).status).toBe(200);
  });

  it("never limits an unlimited key", async () => {
    const { key } = await createKey(uniqueOrg(), "test", { tier: "unlimited" });
    expect(await burst(key, LIMIT * 3)).toEqual(Array(LIMIT * 3).fill(200));
  });

  it("never limits /health", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT * 2; i++) statuses.push((await call("GET", "/health")).status);
    expect(statuses).toEqual(Array(LIMIT * 2).fill(200));
  });

  it("authenticates before limiting: a bad key is a 401, not a 429", async () => {
    const res = await call("GET", "/api/v1/plan-groups", {
      headers: { "x-api-key": "ck_test_nope" },
    });
    expectError(res, 401, "unauthorized");
  });
});
