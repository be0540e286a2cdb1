import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  cachedKey,
  fetchKey,
  KEY_CACHE_TTL_MS,
  UNKNOWN_KEY_TTL_MS,
} from "../../src/auth/key-cache";
import { generateApiKey, keyEntries, recordKvKey } from "../../src/lib/api-keys";
import { forgetKey } from "../../src/middleware/auth";
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
      if (prop === "get") {
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
    expect(await fetchKey(kv, key, "req_test", t)).toEqual(record);
    expect(cachedKey(key, t + KEY_CACHE_TTL_MS - 1)).toEqual(record);
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
    expect(await fetchKey(kv, key, "req_test", t + UNKNOWN_KEY_TTL_MS)).toEqual(record);
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

describe("revocation in the isolate that revokes", () => {
  it("a cached key outlives its KV record until forgetKey drops it", async () => {
    const { key, record } = await createKey(uniqueOrg());
    expect((await list(key)).status).toBe(200);
    await env.API_KEYS.delete(await recordKvKey(key));
    // Other isolates behave like this for up to KEY_CACHE_TTL_MS (README, "Revocation delay").
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
    expect(cachedKey(kept.key)).toEqual(kept.record);
    expect(cachedKey(dropped.key)).toBeUndefined();
  });
});
