import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { clearKeyUse } from "../../src/api-keys/last-used";
import { setMarkDelay } from "../../src/api-keys/mark";
import { RECONCILE_AFTER_MS, reconcileApiKeys } from "../../src/api-keys/reconcile";
import { REFUSALS } from "../../src/auth/credentials";
import { clearKeyCache } from "../../src/auth/key-cache";
import worker from "../../src/index";
import { recordKvKey } from "../../src/lib/api-keys";
import { isEncrypted } from "../../src/lib/crypto";
import { newId } from "../../src/lib/ids";
import { faultyD1 } from "../helpers/faulty-d1";
import { type ApiResponse, call, client, expectError } from "../helpers/http";
import { newIdempotencyKey, settled, storedKey } from "../helpers/idempotency";
import { createKey, uniqueOrg } from "../helpers/keys";

type Created = {
  id: string;
  name: string;
  prefix: string;
  apiKey: string;
  expiresAt: string;
  createdAt: string;
  lastUsedAt: string | null;
};
type Listed = { id: string; name: string; prefix: string; lastUsedAt: string | null };
type List = { object: string; data: Listed[]; hasMore: boolean; nextCursor?: string };

const DAY = 86_400_000;

// Local KV takes any number of writes a second: the creates' marks need not wait.
beforeAll(() => setMarkDelay(0));
afterAll(() => setMarkDelay());

/** A client on the current version (bodies are the objects themselves). */
const current = (orgId = uniqueOrg(), mode: "test" | "live" = "test") =>
  client(orgId, mode, "2026-07-31");

const asKey = (key: string, method: string, path: string, body?: unknown) =>
  call(method, `/api/v1${path}`, {
    headers: { "x-api-key": key, "Commet-Version": "2026-07-31" },
    ...(body === undefined ? {} : { body }),
  });

describe("POST /api-keys", () => {
  it("creates a standard key that works at once, shown in full only here", async () => {
    const api = await current(undefined, "live");
    const res = await api.post<Created>("/api-keys", { name: "production" });
    expect(res.status).toBe(201);
    const key = res.body;
    expect(key).toMatchObject({ object: "api_key", livemode: true, name: "production" });
    // An ApiKey (API.md) plus `apiKey`: every field of a listed key, in the same order.
    expect(Object.keys(key)).toEqual([
      "object",
      "livemode",
      "id",
      "name",
      "prefix",
      "expiresAt",
      "createdAt",
      "createdBy",
      "lastUsedAt",
      "apiKey",
    ]);
    expect(key.lastUsedAt).toBeNull();
    expect(key.apiKey).toMatch(/^ck_live_[A-Za-z0-9]{40}$/);
    expect(key.prefix).toBe(key.apiKey.slice(0, 12));
    expect(key.id).toMatch(/^key_/);
    // 365 days by default.
    const days = (Date.parse(key.expiresAt) - Date.parse(key.createdAt)) / DAY;
    expect(days).toBeCloseTo(365, 3);
    const used = await asKey(key.apiKey, "GET", "/plan-groups");
    expect(used.status).toBe(200);
    // Same organization and mode as the key that made it.
    const group = await asKey(key.apiKey, "POST", "/plan-groups", { name: "By new key" });
    const seen = await api.get<{ id: string }>(`/plan-groups/${(group.body as { id: string }).id}`);
    expect(seen.status).toBe(200);
  });

  it("never outlives an expiring creator: the default is cut to its expiry, an explicit later one refused", async () => {
    const orgId = uniqueOrg();
    const soon = new Date(Date.now() + 10 * DAY).toISOString();
    const { key } = await createKey(orgId, "test", { expiresAt: soon });
    const capped = await asKey(key, "POST", "/api-keys", { name: "child" });
    expect(capped.status).toBe(201);
    expect((capped.body as Created).expiresAt).toBe(soon);
    const tooLate = await asKey(key, "POST", "/api-keys", { name: "child", expiresInDays: 30 });
    expectError(tooLate, 400, "validation_error", "expiresInDays");
    expect(tooLate.body.error?.message).toBe(
      `expiresInDays: must be at most 9: the key making it expires at ${soon}`,
    );
    expect(tooLate.body.error?.details).toEqual([
      {
        field: "expiresInDays",
        message: `must be at most 9: the key making it expires at ${soon}`,
      },
    ]);
    // The latest allowed is accepted.
    const latest = await asKey(key, "POST", "/api-keys", { name: "child", expiresInDays: 9 });
    expect(latest.status).toBe(201);
    const short = await asKey(key, "POST", "/api-keys", { name: "child", expiresInDays: 2 });
    const days = (Date.parse((short.body as Created).expiresAt) - Date.now()) / DAY;
    expect(days).toBeGreaterThan(1.99);
    expect(days).toBeLessThanOrEqual(2);
  });

  it.each([
    [{}, "name"],
    [{ name: "" }, "name"],
    [{ name: "x".repeat(121) }, "name"],
    [{ name: "k", expiresInDays: 0 }, "expiresInDays"],
    [{ name: "k", expiresInDays: 3651 }, "expiresInDays"],
    [{ name: "k", expiresInDays: 1.5 }, "expiresInDays"],
    [{ name: "k", expiresInDays: "30" }, "expiresInDays"],
    [{ name: "k", tier: "unlimited" }, "tier"],
  ])("refuses %j naming %s", async (body, param) => {
    const api = await current();
    expectError(await api.post("/api-keys", body), 400, "validation_error", param);
  });

  it("holds at most 100 keys per organization and mode, the operator's included", async () => {
    const api = await current();
    for (let i = 0; i < 99; i++) {
      expect((await api.post("/api-keys", { name: `k${i}` })).status).toBe(201);
    }
    const over = await api.post("/api-keys", { name: "one too many" });
    expectError(over, 409, "limit_exceeded");
    // The other mode of the same organization is another world.
    const live = await current(api.orgId, "live");
    expect((await live.post("/api-keys", { name: "live" })).status).toBe(201);
  }, 120_000);

  it("replays the same key to an Idempotency-Key retry, stored encrypted", async () => {
    const api = await current();
    const key = newIdempotencyKey();
    const send = () =>
      api.call<Created>("POST", "/api-keys", {
        body: { name: "once" },
        headers: { "Idempotency-Key": key },
      });
    const first = await send();
    const retry = await settled(send);
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.text).toBe(first.text);
    const stored = await storedKey(api.orgId, key);
    expect(stored?.response_body && isEncrypted(stored.response_body)).toBe(true);
    expect(stored?.response_body).not.toContain(first.body.apiKey);
    const listed = await api.get<List>("/api-keys");
    expect(listed.body.data.filter((k) => k.name === "once")).toHaveLength(1);
  });
});

describe("POST /api-keys by a key on its way out", () => {
  const kvNames = async () =>
    [
      ...(await env.API_KEYS.list({ prefix: "apikey:" })).keys,
      ...(await env.API_KEYS.list({ prefix: "apikeyid:" })).keys,
    ].map((k) => k.name);

  it.each([
    [
      "is being deleted (its listing marked revoked)",
      "UPDATE api_keys SET revoked_at = 1 WHERE id = ?",
    ],
    ["is no longer listed", "DELETE FROM api_keys WHERE id = ?"],
  ])(
    "refuses a key that %s (401), leaves nothing in KV, claims nothing, and forgets the key",
    async (_, sql) => {
      const api = await current();
      const leaked = (await api.post<Created>("/api-keys", { name: "leaked" })).body;
      await env.DB.prepare(sql).bind(leaked.id).run();
      const before = await kvNames();
      const idempotencyKey = newIdempotencyKey();
      const res = await call("POST", "/api/v1/api-keys", {
        headers: {
          "x-api-key": leaked.apiKey,
          "Commet-Version": "2026-07-31",
          "Idempotency-Key": idempotencyKey,
        },
        body: { name: "outlives it" },
      });
      expectError(res, 401, "unauthorized");
      expect(res.body.error?.message).toBe(REFUSALS.key);
      expect(await kvNames()).toEqual(before);
      // Its claim never committed: at most the refusal is kept for a retry.
      expect((await storedKey(api.orgId, idempotencyKey))?.status_code).not.toBe(201);
      const names = (await api.get<List>("/api-keys")).body.data.map((k) => k.name);
      expect(names).not.toContain("outlives it");
      // Its KV record is still there (the delete, elsewhere, is not done): this isolate refuses it anyway.
      expect(await env.API_KEYS.get(await recordKvKey(leaked.apiKey))).not.toBeNull();
      expectError(await asKey(leaked.apiKey, "GET", "/plans"), 401, "unauthorized");
    },
  );

  it("refuses a key from before the listing until key:backfill lists it", async () => {
    const { key } = await createKey(uniqueOrg(), "test", { listed: false });
    expect((await asKey(key, "GET", "/plans")).status).toBe(200);
    expectError(await asKey(key, "POST", "/api-keys", { name: "child" }), 401, "unauthorized");
  });
});

describe("GET /api-keys", () => {
  it("lists newest first, pages, and never shows a secret", async () => {
    const api = await current();
    const made: Created[] = [];
    for (const name of ["a", "b", "c"])
      made.push((await api.post<Created>("/api-keys", { name })).body);
    const first = await api.get<List>("/api-keys?limit=2");
    expect(first.body).toMatchObject({ object: "list", hasMore: true });
    const rest = await api.get<List>(`/api-keys?limit=2&cursor=${first.body.nextCursor}`);
    const ids = [...first.body.data, ...rest.body.data].map((k) => k.id);
    // Last, the oldest: the calling key itself.
    expect(ids).toEqual([...made.map((k) => k.id).reverse(), expect.any(String)]);
    expect(rest.body.hasMore).toBe(false);
    for (const res of [first, rest]) {
      for (const k of made) expect(res.text).not.toContain(k.apiKey);
      expect(res.text).not.toContain("apikey:");
    }
    expect(first.body.data[0]).not.toHaveProperty("apiKey");
  });

  it("scopes keys to the organization and mode", async () => {
    const api = await current();
    await api.post("/api-keys", { name: "mine" });
    // Each sees only its own key.
    const other = await current();
    expect((await other.get<List>("/api-keys")).body.data.map((k) => k.name)).toEqual(["test"]);
    const live = await current(api.orgId, "live");
    expect((await live.get<List>("/api-keys")).body.data.map((k) => k.name)).toEqual(["test"]);
  });

  it("notes lastUsedAt after use, at most once a minute per key per isolate", async () => {
    const api = await current();
    const made = (await api.post<Created>("/api-keys", { name: "used" })).body;
    const lastUsed = async () =>
      (await api.get<List>("/api-keys")).body.data.find((k) => k.id === made.id)?.lastUsedAt;
    expect(await lastUsed()).toBeNull();
    clearKeyUse();
    await asKey(made.apiKey, "GET", "/plans");
    const noted = await lastUsed();
    expect(noted).not.toBeNull();
    await new Promise((r) => setTimeout(r, 5));
    await asKey(made.apiKey, "GET", "/plans");
    expect(await lastUsed()).toBe(noted);
    // Never in the KV record: a late write must not bring a deleted key back.
    const record = await env.API_KEYS.get(await recordKvKey(made.apiKey));
    expect(record).not.toContain("lastUsed");
  });
});

describe("DELETE /api-keys/{id}", () => {
  it("revokes: the isolate that deleted it refuses the key at once", async () => {
    const api = await current();
    const made = (await api.post<Created>("/api-keys", { name: "old" })).body;
    expect((await asKey(made.apiKey, "GET", "/plans")).status).toBe(200);
    const res = await api.del(`/api-keys/${made.id}`);
    expect(res.body).toEqual({ id: made.id, deleted: true, object: "api_key", livemode: false });
    expectError(await asKey(made.apiKey, "GET", "/plans"), 401, "unauthorized");
    expect(await env.API_KEYS.get(await recordKvKey(made.apiKey))).toBeNull();
    expectError(await api.del(`/api-keys/${made.id}`), 404, "api_key_not_found", "id");
  });

  it("lets a key delete itself (rotation: its maker makes the new key)", async () => {
    const api = await current();
    const oldKey = (await api.post<Created>("/api-keys", { name: "old" })).body;
    const newKey = (await api.post<Created>("/api-keys", { name: "new" })).body;
    expect((await asKey(oldKey.apiKey, "DELETE", `/api-keys/${oldKey.id}`)).status).toBe(200);
    expectError(await asKey(oldKey.apiKey, "GET", "/plans"), 401, "unauthorized");
    expect((await asKey(newKey.apiKey, "GET", "/plans")).status).toBe(200);
  });

  it("answers 404 for unknown and foreign ids, and deletes nothing there", async () => {
    const api = await current();
    const mine = (await api.post<Created>("/api-keys", { name: "mine" })).body;
    const other = await current();
    expectError(await other.del(`/api-keys/${mine.id}`), 404, "api_key_not_found", "id");
    expectError(await other.del("/api-keys/key_nope"), 404, "api_key_not_found", "id");
    expect((await asKey(mine.apiKey, "GET", "/plans")).status).toBe(200);
  });
});

describe("the CLI's keys and the API's", () => {
  it("a key made by the CLI authenticates API key management, and the API's key works like it", async () => {
    const orgId = uniqueOrg();
    const { key } = await createKey(orgId, "test");
    const made = await asKey(key, "POST", "/api-keys", { name: "from api" });
    expect(made.status).toBe(201);
    expect((await asKey((made.body as Created).apiKey, "GET", "/api-keys")).status).toBe(200);
  });
});

/** One request through the worker with a D1 binding that fails where told. */
async function through(db: D1Database, key: string, method: string, path: string, body?: unknown) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`http://api.test/api/v1${path}`, {
      method,
      headers: {
        "x-api-key": key,
        "Commet-Version": "2026-07-31",
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    }),
    { ...env, DB: db },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: res.status, text: await res.text() } as Pick<ApiResponse, "status" | "text">;
}

describe("KV and D1, which share no transaction", () => {
  it("a create whose listing fails leaves a KV record the reconciliation removes", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const orgId = uniqueOrg();
    const { key } = await createKey(orgId, "test", { tier: "unlimited" });
    const listingFails = faultyD1((sql) =>
      sql.some((s) => s.startsWith('insert into "api_keys"')) ? "fail" : "ok",
    );
    const before = await env.API_KEYS.list({ prefix: "apikey:" });
    expect((await through(listingFails, key, "POST", "/api-keys", { name: "lost" })).status).toBe(
      500,
    );
    const after = await env.API_KEYS.list({ prefix: "apikey:" });
    // Other test files write keys too: the orphan is the new record of this organization.
    const orphans: { name: string }[] = [];
    for (const k of after.keys.filter((k) => !before.keys.some((b) => b.name === k.name))) {
      if ((await env.API_KEYS.get(k.name))?.includes(`"orgId":"${orgId}"`)) orphans.push(k);
    }
    expect(orphans).toHaveLength(1);
    // Too young: a create may still be running.
    await reconcileApiKeys(env, Date.now());
    for (const o of orphans) expect(await env.API_KEYS.get(o.name)).not.toBeNull();
    await reconcileApiKeys(env, Date.now() + RECONCILE_AFTER_MS + 1000);
    for (const o of orphans) expect(await env.API_KEYS.get(o.name)).toBeNull();
    // The CLI's records carry no `via` and are never removed this way.
    expect(await env.API_KEYS.get(await recordKvKey(key))).not.toBeNull();
    log.mockRestore();
  });

  it("the reconciliation removes an unlisted API-written record that is not even JSON, and goes on", async () => {
    const kvKey = `apikey:${"0".repeat(48)}${Date.now().toString(16).padStart(16, "0")}`;
    const idEntry = `apikeyid:${newId("key")}`;
    const old = Date.now() - RECONCILE_AFTER_MS - 60_000;
    await env.API_KEYS.put(kvKey, "{not json", { metadata: { via: "api", createdAt: old } });
    await env.API_KEYS.put(idEntry, kvKey, { metadata: { via: "api", createdAt: old, kvKey } });
    const result = await reconcileApiKeys(env, Date.now());
    expect(result.unlistedRemoved).toBeGreaterThanOrEqual(1);
    expect(await env.API_KEYS.get(kvKey)).toBeNull();
    expect(await env.API_KEYS.get(idEntry)).toBeNull();
  });

  it("a delete that removed the KV record but not the listing is finished by the reconciliation", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const api = await current();
    const made = (await api.post<Created>("/api-keys", { name: "half" })).body;
    const removeFails = faultyD1((sql) =>
      sql.some((s) => s.startsWith('delete from "api_keys"')) ? "fail" : "ok",
    );
    expect((await through(removeFails, api.key, "DELETE", `/api-keys/${made.id}`)).status).toBe(
      500,
    );
    // Fail closed: the key no longer works, though it is still listed.
    clearKeyCache();
    expectError(await asKey(made.apiKey, "GET", "/plans"), 401, "unauthorized");
    expect((await api.get<List>("/api-keys")).body.data.map((k) => k.id)).toContain(made.id);
    // Deleting again finishes it; so does the reconciliation, for whoever never retries.
    await reconcileApiKeys(env, Date.now() + RECONCILE_AFTER_MS + 1000);
    expect((await api.get<List>("/api-keys")).body.data.map((k) => k.id)).not.toContain(made.id);
    log.mockRestore();
  });

  it("a delete whose KV step fails leaves the key listed and working, to be deleted again", async () => {
    const api = await current();
    const made = (await api.post<Created>("/api-keys", { name: "kept" })).body;
    const brokenKv = new Proxy(env.API_KEYS, {
      get(target, prop) {
        if (prop === "delete") return () => Promise.reject(new Error("KV unavailable"));
        const value = Reflect.get(target, prop, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request(`http://api.test/api/v1/api-keys/${made.id}`, {
        method: "DELETE",
        headers: { "x-api-key": api.key, "Commet-Version": "2026-07-31" },
      }),
      { ...env, API_KEYS: brokenKv },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(500);
    log.mockRestore();
    expect((await asKey(made.apiKey, "GET", "/plans")).status).toBe(200);
    expect((await api.del(`/api-keys/${made.id}`)).status).toBe(200);
    clearKeyCache();
    expectError(await asKey(made.apiKey, "GET", "/plans"), 401, "unauthorized");
  });
});
