import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { clientBucket, countFailure, refuseIfBlocked } from "../../src/auth/failure-throttle";
import { ApiError } from "../../src/errors";
import { countingEnv } from "../helpers/counting";
import { call, expectError } from "../helpers/http";
import { createKey, uniqueOrg } from "../helpers/keys";
import { awayFromWindowEdge, uniqueAddress } from "../helpers/rate-limit";

const LIMIT = Number(env.AUTH_FAILURE_LIMIT);
const PERIOD = Number(env.AUTH_FAILURE_PERIOD_SECONDS);

const list = (address: string | null, headers: Record<string, string> = {}) =>
  call("GET", "/api/v1/plan-groups", {
    headers: { ...headers, ...(address ? { "cf-connecting-ip": address } : {}) },
  });
const unknownKey = () => ({ "x-api-key": `ck_test_${crypto.randomUUID().replaceAll("-", "")}` });

async function fail(address: string, times: number) {
  const statuses: number[] = [];
  for (let i = 0; i < times; i++) statuses.push((await list(address, unknownKey())).status);
  return statuses;
}

afterEach(() => vi.restoreAllMocks());

describe("failed authentications are throttled per client address", () => {
  it("answers 429 with Retry-After and RateLimit headers past the allowance", async () => {
    const address = uniqueAddress();
    await awayFromWindowEdge(PERIOD);
    expect(await fail(address, LIMIT)).toEqual(Array(LIMIT).fill(401));
    const res = await list(address, unknownKey());
    expectError(res, 429, "rate_limited");
    expect(res.body.error?.type).toBe("rate_limit_error");
    expect(res.body.error?.message).toMatch(/failed authentications from this address/);
    expect(res.body.error?.details).toEqual({ limit: LIMIT, periodSeconds: PERIOD });
    const retryAfter = Number(res.headers.get("retry-after"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(PERIOD);
    expect(res.headers.get("ratelimit-limit")).toBe(String(LIMIT));
    expect(res.headers.get("ratelimit-remaining")).toBe("0");
    expect(res.headers.get("ratelimit-reset")).toBe(String(retryAfter));
  });

  it("counts every kind of failure: missing, malformed, unknown", async () => {
    const address = uniqueAddress();
    await awayFromWindowEdge(PERIOD);
    const kinds = [{}, { "x-api-key": "nope" }, unknownKey()];
    for (let i = 0; i < LIMIT; i++) expect((await list(address, kinds[i % 3])).status).toBe(401);
    expectError(await list(address), 429, "rate_limited");
  });

  it("refuses a throttled address before hashing or reading KV, even with a valid key", async () => {
    const address = uniqueAddress();
    const { key } = await createKey(uniqueOrg(), "test", { tier: "unlimited" });
    await awayFromWindowEdge(PERIOD);
    await fail(address, LIMIT + 1);
    const { request } = countingEnv();
    const guess = await request("GET", "/plan-groups", unknownKey()["x-api-key"], undefined, {
      "cf-connecting-ip": address,
    });
    expect({ status: guess.status, ...guess.counts }).toEqual({ status: 429, d1: 0, kvGet: 0 });
    // Never looked up by this isolate: proving it valid would cost what guessing costs.
    const valid = await request("GET", "/plan-groups", key, undefined, {
      "cf-connecting-ip": address,
    });
    expect({ status: valid.status, ...valid.counts }).toEqual({ status: 429, d1: 0, kvGet: 0 });
  });

  it("lets a key this isolate already knows through from a throttled address", async () => {
    const address = uniqueAddress();
    const { key } = await createKey(uniqueOrg(), "test", { tier: "unlimited" });
    expect((await list(address, { "x-api-key": key })).status).toBe(200);
    await awayFromWindowEdge(PERIOD);
    await fail(address, LIMIT + 1);
    expect((await list(address, { "x-api-key": key })).status).toBe(200);
  });

  it("counts each address on its own, and successes not at all", async () => {
    const [noisy, quiet] = [uniqueAddress(), uniqueAddress()];
    const { key } = await createKey(uniqueOrg(), "test", { tier: "unlimited" });
    await awayFromWindowEdge(PERIOD);
    for (let i = 0; i < LIMIT * 2; i++) {
      expect((await list(quiet, { "x-api-key": key })).status).toBe(200);
    }
    await fail(noisy, LIMIT + 1);
    expect(await fail(quiet, LIMIT)).toEqual(Array(LIMIT).fill(401));
  });

  it("counts IPv6 clients by their /64", async () => {
    const [a = 0, b = 0] = crypto.getRandomValues(new Uint16Array(2));
    const prefix = `2001:db8:${a.toString(16)}:${b.toString(16)}`;
    await awayFromWindowEdge(PERIOD);
    for (let i = 1; i <= LIMIT; i++) {
      expect((await list(`${prefix}::${i.toString(16)}`, unknownKey())).status).toBe(401);
    }
    expectError(await list(`${prefix}:0:0:0:ffff`, unknownKey()), 429, "rate_limited");
  });

  it("counts nothing without CF-Connecting-IP (a request that did not come through the edge)", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < LIMIT + 2; i++) statuses.push((await list(null, unknownKey())).status);
    expect(statuses).toEqual(Array(LIMIT + 2).fill(401));
  });

  it("fails open when the limiter itself fails: 401, and a log line", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const broken = {
      ...env,
      AUTH_FAILURE_LIMITER: {
        limit: () => Promise.reject(new Error("limiter down")),
      },
    };
    await expect(countFailure(broken, uniqueAddress(), "req_test")).resolves.toBeUndefined();
    expect(errors.mock.calls.join("\n")).toContain("rate limiter unavailable");
  });

  it("refuses a throttled address until its window ends, then forgets it", async () => {
    const saysNo = { ...env, AUTH_FAILURE_LIMITER: { limit: async () => ({ success: false }) } };
    const address = uniqueAddress();
    const now = Date.UTC(2026, 0, 1, 12, 0, 15);
    const refused = await countFailure(saysNo, address, "req_test", now).catch((e) => e);
    expect(refused).toBeInstanceOf(ApiError);
    expect((refused as ApiError).headers["Retry-After"]).toBe(String(PERIOD - 15));
    expect(() => refuseIfBlocked(env, address, now + 1000)).toThrow(ApiError);
    const windowEnd = now + (PERIOD - 15) * 1000;
    expect(() => refuseIfBlocked(env, address, windowEnd - 1)).toThrow(ApiError);
    expect(() => refuseIfBlocked(env, address, windowEnd)).not.toThrow();
  });
});

describe("clientBucket", () => {
  it.each([
    ["203.0.113.7", "203.0.113.7"],
    ["2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"],
    ["2001:DB8:0001:0002::9", "2001:db8:1:2::/64"],
    ["2001:db8::1", "2001:db8:0:0::/64"],
    ["::1", "0:0:0:0::/64"],
    ["::ffff:203.0.113.7", "::ffff:203.0.113.7"],
  ])("%s counts as %s", (address, bucket) => {
    expect(clientBucket(address)).toBe(bucket);
  });
});
