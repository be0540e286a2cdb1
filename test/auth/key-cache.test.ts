import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { REFUSALS } from "../../src/auth/credentials";
import {
  cachedKey,
  fetchKey,
  forgetKey,
  KEY_CACHE_TTL_MS,
  UNKNOWN_KEY_TTL_MS,
} from "../../src/auth/key-cache";
import {
  generateApiKey,
  keyEntries,
  MAX_API_KEY_LENGTH,
  recordKvKey,
} from "../../src/lib/api-keys";
import { countingEnv } from "../helpers/counting";
import { call, expectError } from "../helpers/http";
import { createKey, uniqueOrg } from "../helpers/keys";

const list = (key: string) => call("GET", "/api/v1/plan-groups", { headers: { "x-api-key": key } });

/** The real KV binding, counting reads. */
function countingKv() {
  const reads = { count: 0 };
  const kv = new Proxy(env.API_KEYS, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (prop === "get" || prop === "getWithMetadata") {
        return (...args: unknown[]) => {
          reads.count++;
          return value.apply(target, args);
        };
      }
      return value.bind(target);
    },
  });
  return { kv, reads };
}

describe("the isolate's key cache", () => {
  it("remembers a known key for KEY_CACHE_TTL_MS, then reads KV again", async () => {
    const { key, record } = await createKey(uniqueOrg());
    const { kv, reads } = countingKv();
    const t = Date.now();
    expect(await fetchKey(kv, key, "req_test", t)).toEqual({ record, operator: true });
    expect(cachedKey(key, t + KEY_CACHE_TTL_MS - 1)).toEqual({ record, operator: true });
    expect(cachedKey(key, t + KEY_CACHE_TTL_MS)).toBeUndefined();
    expect(reads.count).toBe(1);
  });

  it("remembers an unknown key for UNKNOWN_KEY_TTL_MS: retries cost no KV read", async () => {
    const key = generateApiKey("test");
    const { kv, reads } = countingKv();
    const t = Date.now();
    expect(await fetchKey(kv, key, "req_test", t)).toBeNull();
    expect(await fetchKey(kv, key, "req_test", t + 1)).toBeNull();
    expect(await fetchKey(kv, key, "req_test", t + UNKNOWN_KEY_TTL_MS - 1)).toBeNull();
    expect(reads.count).toBe(1);
    // A key stored since is found once the short memory of its absence ends.
    const { record } = await createKey(uniqueOrg());
    for (const entry of await keyEntries(key, record))
      await env.API_KEYS.put(entry.key, entry.value);
    expect(await fetchKey(kv, key, "req_test", t + UNKNOWN_KEY_TTL_MS)).toEqual({
      record,
      operator: true,
    });
    expect(reads.count).toBe(2);
  });

  it("keeps at most 1000 unknown keys, so guessing cannot grow the isolate's memory", async () => {
    const { kv, reads } = countingKv();
    const first = generateApiKey("test");
    await fetchKey(kv, first, "req_test");
    for (let i = 0; i < 1000; i++) await fetchKey(kv, generateApiKey("test"), "req_test");
    const before = reads.count;
    await fetchKey(kv, first, "req_test");
    expect(reads.count).toBe(before + 1);
  });
});

describe("a presented key longer than any key the service issues", () => {
  it("is refused as malformed (401) before it is hashed, looked up or cached", async () => {
    const { request } = countingEnv();
    const huge = `ck_test_${"a".repeat(30_000)}`;
    for (let i = 0; i < 2; i++) {
      const res = await request("GET", "/plans", huge);
      expect(res.status).toBe(401);
      expect((res.body.error as { message: string }).message).toBe(REFUSALS.malformed);
      expect(res.counts).toEqual({ d1: 0, kvGet: 0 });
    }
    // One character over the longest key is over, too.
    const over = `ck_live_${"a".repeat(MAX_API_KEY_LENGTH - 7)}`;
    expect((await request("GET", "/plans", over)).counts).toEqual({ d1: 0, kvGet: 0 });
  });

  it("is never read from KV nor remembered by the unknown-key cache", async () => {
    const { kv, reads } = countingKv();
    const huge = `ck_test_${"a".repeat(30_000)}`;
    expect(await fetchKey(kv, huge, "req_test")).toBeNull();
    expect(await fetchKey(kv, huge, "req_test")).toBeNull();
    expect(reads.count).toBe(0);
    // The longest key issued is still looked up.
    const longest = generateApiKey("live");
    expect(longest).toHaveLength(MAX_API_KEY_LENGTH);
    expect(await fetchKey(kv, longest, "req_test")).toBeNull();
    expect(reads.count).toBe(1);
  });
});

describe("revocation in the isolate that revokes", () => {
  it("a cached key outlives its KV record until forgetKey drops it", async () => {
    const { key, record } = await createKey(uniqueOrg());
    expect((await list(key)).status).toBe(200);
    await env.API_KEYS.delete(await recordKvKey(key));
    // Other isolates behave like this for up to KEY_CACHE_TTL_MS (docs/api-keys.md, "Revocation delay").
    expect((await list(key)).status).toBe(200);
    forgetKey(record.id);
    expectError(await list(key), 401, "unauthorized");
  });

  it("refuses a forgotten key even while KV still serves its old record", async () => {
    const { key, record } = await createKey(uniqueOrg());
    expect((await list(key)).status).toBe(200);
    forgetKey(record.id);
    expect(await env.API_KEYS.get(await recordKvKey(key))).not.toBeNull();
    expectError(await list(key), 401, "unauthorized");
  });

  it("forgets only that key", async () => {
    const org = uniqueOrg();
    const [kept, dropped] = [await createKey(org), await createKey(org)];
    expect((await list(kept.key)).status).toBe(200);
    expect((await list(dropped.key)).status).toBe(200);
    forgetKey(dropped.record.id);
    expect((await list(kept.key)).status).toBe(200);
    expect(cachedKey(kept.key)).toEqual({ record: kept.record, operator: true });
    expect(cachedKey(dropped.key)).toBeUndefined();
  });
});
