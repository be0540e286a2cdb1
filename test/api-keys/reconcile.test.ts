import { env } from "cloudflare:test";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { storeNewKey } from "../../scripts/lib/keys";
import { MAX_REMOVALS } from "../../src/api-keys/key-scan";
import { markListed, setMarkDelay } from "../../src/api-keys/mark";
import { RECONCILE_AFTER_MS, reconcileApiKeys } from "../../src/api-keys/reconcile";
import { relist } from "../../src/api-keys/reconcile-queries";
import { clearKeyCache } from "../../src/auth/key-cache";
import { Db } from "../../src/db/database";
import {
  generateApiKey,
  idKvKey,
  type KeyIdEntry,
  type KeyRecord,
  recordKvKey,
} from "../../src/lib/api-keys";
import { newId } from "../../src/lib/ids";
import { bindingKv } from "../helpers/binding-kv";
import { bindingSql } from "../helpers/binding-sql";
import { call } from "../helpers/http";
import { uniqueOrg } from "../helpers/keys";

// Each test file has storage of its own: this one empties the key stores
// before each test, since the reconciliation looks at all of them.
type Made = { id: string; apiKey: string; createdBy: string | null; prefix: string };

const later = () => Date.now() + RECONCILE_AFTER_MS + 60_000;
const POSITION = "api_key_reconciliation.id_cursor";

const as = (key: string, method: string, path: string, body?: unknown) =>
  call(method, `/api/v1${path}`, {
    headers: { "x-api-key": key, "Commet-Version": "2026-07-31" },
    ...(body === undefined ? {} : { body }),
  });

async function emptyStores() {
  for (const prefix of ["apikey:", "apikeyid:"]) {
    for (const { name } of (await env.API_KEYS.list({ prefix })).keys)
      await env.API_KEYS.delete(name);
  }
  await env.DB.batch([
    env.DB.prepare("DELETE FROM api_keys"),
    env.DB.prepare("DELETE FROM service_state WHERE name = ?").bind(POSITION),
  ]);
}

/** An operator's key, stored and listed as `npm run key:create` does. */
async function operatorKey(orgId = uniqueOrg()) {
  const opts = {
    orgId,
    mode: "test",
    name: "ops",
    tier: "unlimited",
    expiresInDays: null,
  } as const;
  const { apiKey, record } = await storeNewKey(
    bindingKv(env.API_KEYS, ""),
    bindingSql(env.DB),
    opts,
  );
  return { key: apiKey, id: record.id };
}

async function make(maker: string, name = "k"): Promise<Made> {
  const res = await as(maker, "POST", "/api-keys", { name });
  expect(res.status).toBe(201);
  return res.body as Made;
}

const unlist = (...ids: string[]) =>
  env.DB.batch(ids.map((id) => env.DB.prepare("DELETE FROM api_keys WHERE id = ?").bind(id)));
const listedIds = async () =>
  (await env.DB.prepare("SELECT id FROM api_keys").all<{ id: string }>()).results.map((r) => r.id);
const works = async (key: string) => {
  clearKeyCache();
  return (await as(key, "GET", "/plans")).status === 200;
};
const entryOf = async (id: string) => await env.API_KEYS.getWithMetadata(idKvKey(id));
const rowOf = (id: string) =>
  env.DB.prepare("SELECT created_by, revoked_at FROM api_keys WHERE id = ?")
    .bind(id)
    .first<{ created_by: string | null; revoked_at: number | null }>();
/** Writes a key's id entry as it was before it carried metadata. */
const asLegacy = async (id: string) =>
  env.API_KEYS.put(idKvKey(id), (await env.API_KEYS.get(idKvKey(id))) as string);

/** A key the API wrote whose create never listed it: a record that is no record, and its id entry. */
async function unlistedRecord(createdAt: number) {
  const kvKey = await recordKvKey(generateApiKey("test"));
  const idKey = idKvKey(newId("key"));
  await env.API_KEYS.put(kvKey, "{not a record", { metadata: { via: "api", createdAt } });
  await env.API_KEYS.put(idKey, kvKey, { metadata: { via: "api", createdAt, kvKey } });
  return { kvKey, idKey };
}

/** The JSON log lines written to console.error (errors and warnings). */
function logLines() {
  const spy = vi.spyOn(console, "error").mockImplementation(() => {});
  return () => spy.mock.calls.map(([line]) => JSON.parse(String(line)) as Record<string, unknown>);
}

beforeAll(() => setMarkDelay(0));
afterAll(() => setMarkDelay());
beforeEach(emptyStores);
afterEach(() => vi.restoreAllMocks());

describe("the create marks its id entry once listed", () => {
  it("after the response, past KV's one write a second per key; the record is never rewritten", async () => {
    setMarkDelay();
    const { key } = await operatorKey();
    const made = await make(key);
    setMarkDelay(0);
    const kvKey = await recordKvKey(made.apiKey);
    const { value, metadata } = await entryOf(made.id);
    expect({ value, metadata }).toEqual({
      value: kvKey,
      metadata: { via: "api", createdAt: expect.any(Number), kvKey, listed: true },
    });
    expect((await env.API_KEYS.getWithMetadata(kvKey)).metadata).toEqual({
      via: "api",
      createdAt: (metadata as KeyIdEntry).createdAt,
    });
  });

  it("a mark written after a delete brings back only an id entry: removed, never listed again, never authenticating", async () => {
    const { key } = await operatorKey();
    const made = await make(key);
    const entry = (await entryOf(made.id)).metadata as KeyIdEntry;
    expect((await as(key, "DELETE", `/api-keys/${made.id}`)).status).toBe(200);
    // A late mark (a create whose wait outlasted the delete) writes the id entry again.
    await markListed(env.API_KEYS, [{ id: made.id, entry }]);
    expect((await entryOf(made.id)).metadata).toMatchObject({ listed: true });
    const result = await reconcileApiKeys(env, later());
    expect(result).toMatchObject({ relisted: 0, orphanEntriesRemoved: 1, stopped: false });
    expect((await entryOf(made.id)).value).toBeNull();
    expect(await listedIds()).not.toContain(made.id);
    expect(await works(made.apiKey)).toBe(false);
  });
});

describe("the reconciliation never revokes a working key", () => {
  it("lists again a marked key whose listing is gone, with a warning, and it keeps working", async () => {
    const operator = await operatorKey();
    const made = await make(operator.key, "restored");
    await unlist(made.id);
    const lines = logLines();
    // At once: listing a working key again needs no waiting.
    const result = await reconcileApiKeys(env, Date.now());
    expect(result).toMatchObject({ relisted: 1, unlistedRemoved: 0, stopped: false });
    expect(await works(made.apiKey)).toBe(true);
    const listed = (await as(operator.key, "GET", "/api-keys")).body as { data: Made[] };
    expect(listed.data.find((k) => k.id === made.id)).toMatchObject({
      createdBy: operator.id,
      prefix: "ck_test_",
    });
    expect(lines()).toEqual([
      {
        level: "warn",
        message: "API key reconciliation: working keys were not listed, listed them again",
        keyIds: [made.id],
      },
    ]);
  });

  it("marks a listed key the CLI stored, once its create had time to mark it", async () => {
    const operator = await operatorKey();
    expect((await entryOf(operator.id)).metadata).toEqual({
      via: "cli",
      createdAt: expect.any(Number),
      kvKey: await recordKvKey(operator.key),
    });
    expect(await reconcileApiKeys(env, Date.now())).toMatchObject({ marked: 0 });
    expect(await reconcileApiKeys(env, later())).toMatchObject({ marked: 1 });
    expect((await entryOf(operator.id)).metadata).toMatchObject({ via: "cli", listed: true });
  });

  it("marks listed keys whose id entry is from before the metadata (API's and CLI's), so a lost listing is restored", async () => {
    const operator = await operatorKey();
    const made = await make(operator.key);
    const cliKey = await operatorKey();
    for (const id of [made.id, cliKey.id]) await asLegacy(id);
    expect(await reconcileApiKeys(env, later())).toMatchObject({ marked: 3 });
    expect((await entryOf(made.id)).metadata).toEqual({
      via: "api",
      createdAt: expect.any(Number),
      kvKey: await recordKvKey(made.apiKey),
      listed: true,
    });
    expect((await entryOf(cliKey.id)).metadata).toMatchObject({ via: "cli", listed: true });
    await unlist(made.id, cliKey.id);
    vi.spyOn(console, "error").mockImplementation(() => {});
    expect(await reconcileApiKeys(env, later())).toMatchObject({ relisted: 2, unlistedRemoved: 0 });
    expect(await works(made.apiKey)).toBe(true);
    expect(await works(cliKey.key)).toBe(true);
  });

  it("never removes an unlisted key whose id entry is from before the metadata", async () => {
    const operator = await operatorKey();
    const made = await make(operator.key);
    await asLegacy(made.id);
    await unlist(made.id);
    const result = await reconcileApiKeys(env, later());
    expect(result).toMatchObject({ unlistedRemoved: 0, relisted: 0 });
    expect(await works(made.apiKey)).toBe(true);
    expect((await entryOf(made.id)).value).toBe(await recordKvKey(made.apiKey));
  });

  it("removes an unmarked unlisted key the API wrote (a create that crashed) once older than 5 minutes", async () => {
    await operatorKey();
    const old = await unlistedRecord(Date.now() - RECONCILE_AFTER_MS - 1000);
    const young = await unlistedRecord(Date.now());
    expect(await reconcileApiKeys(env, Date.now())).toMatchObject({ unlistedRemoved: 1 });
    expect(await env.API_KEYS.get(old.kvKey)).toBeNull();
    expect(await env.API_KEYS.get(old.idKey)).toBeNull();
    expect(await env.API_KEYS.get(young.kvKey)).not.toBeNull();
    expect(await env.API_KEYS.get(young.idKey)).not.toBeNull();
  });

  it("removes a listing whose KV record is gone, once older than 5 minutes", async () => {
    const operator = await operatorKey();
    const gone = await make(operator.key);
    await env.API_KEYS.delete(await recordKvKey(gone.apiKey));
    await env.API_KEYS.delete(idKvKey(gone.id));
    expect(await reconcileApiKeys(env, Date.now())).toMatchObject({ listingsRemoved: 0 });
    expect(await listedIds()).toContain(gone.id);
    expect(await reconcileApiKeys(env, later())).toMatchObject({ listingsRemoved: 1 });
    expect(await listedIds()).toEqual([operator.id]);
  });
});

describe("the reconciliation never lists again a key whose maker is gone: it revokes it", () => {
  const REVOKED =
    "API key reconciliation: keys whose maker is revoked or gone were not listed again, revoked them and the keys they made";

  it("a key whose listing a restore lost, whose maker was then deleted: revoked, not listed again", async () => {
    const operator = await operatorKey();
    const maker = await make(operator.key, "maker");
    const made = await make(maker.apiKey, "made");
    await unlist(made.id);
    expect((await as(operator.key, "DELETE", `/api-keys/${maker.id}`)).status).toBe(200);
    // The delete found the lineage in the listing only: the key it lost still works.
    expect(await works(made.apiKey)).toBe(true);
    const lines = logLines();
    const result = await reconcileApiKeys(env, later());
    expect(result).toMatchObject({ relisted: 0, lineageRevoked: 1, stopped: false });
    expect(await works(made.apiKey)).toBe(false);
    expect(await rowOf(made.id)).toBeNull();
    expect((await entryOf(made.id)).value).toBeNull();
    expect(await env.API_KEYS.get(await recordKvKey(made.apiKey))).toBeNull();
    expect(lines()).toEqual([
      {
        level: "warn",
        message: REVOKED,
        keyIds: [made.id],
        goneAncestors: [maker.id],
        revoked: [made.id],
      },
    ]);
    // Nothing is left for a later run to bring back.
    expect(await reconcileApiKeys(env, later())).toMatchObject({ relisted: 0, lineageRevoked: 0 });
    expect(await listedIds()).toEqual([operator.id]);
  });

  it("a key whose maker works is listed again, with its maker, as before", async () => {
    const operator = await operatorKey();
    const maker = await make(operator.key, "maker");
    const made = await make(maker.apiKey, "made");
    await unlist(made.id);
    vi.spyOn(console, "error").mockImplementation(() => {});
    const result = await reconcileApiKeys(env, later());
    expect(result).toMatchObject({ relisted: 1, lineageRevoked: 0, stopped: false });
    expect(await works(made.apiKey)).toBe(true);
    expect(await works(maker.apiKey)).toBe(true);
    expect(await rowOf(made.id)).toEqual({ created_by: maker.id, revoked_at: null });
  });

  it("a maker the restore lost too counts while its KV record works, even before it is listed again", async () => {
    const operator = await operatorKey();
    const maker = await make(operator.key, "maker");
    const made = await make(maker.apiKey, "made");
    await unlist(maker.id, made.id);
    // The run starts past the maker's id entry: it sees the key before its maker.
    const page = await env.API_KEYS.list({ prefix: "apikeyid:", limit: 2 });
    expect(page.keys.map((k) => k.name)).toEqual([idKvKey(operator.id), idKvKey(maker.id)]);
    const cursor = page.list_complete ? null : page.cursor;
    await env.DB.prepare("INSERT INTO service_state (name, value, updated_at) VALUES (?, ?, 0)")
      .bind(POSITION, JSON.stringify({ cursor, after: idKvKey(maker.id) }))
      .run();
    vi.spyOn(console, "error").mockImplementation(() => {});
    const first = await reconcileApiKeys(env, later(), { pageSize: 1, maxPages: 1 });
    expect(first).toMatchObject({ relisted: 1, lineageRevoked: 0 });
    expect(await rowOf(made.id)).toEqual({ created_by: maker.id, revoked_at: null });
    expect(await rowOf(maker.id)).toBeNull();
    expect(await reconcileApiKeys(env, later())).toMatchObject({ relisted: 1, lineageRevoked: 0 });
    expect(await rowOf(maker.id)).toEqual({ created_by: operator.id, revoked_at: null });
    for (const key of [maker.apiKey, made.apiKey]) expect(await works(key)).toBe(true);
  });

  it("any key above it: a chain the restore lost, whose top was deleted, is revoked whole", async () => {
    const operator = await operatorKey();
    const top = await make(operator.key, "top");
    const maker = await make(top.apiKey, "maker");
    const made = await make(maker.apiKey, "made");
    await unlist(maker.id, made.id);
    expect((await as(operator.key, "DELETE", `/api-keys/${top.id}`)).status).toBe(200);
    for (const key of [maker.apiKey, made.apiKey]) expect(await works(key)).toBe(true);
    vi.spyOn(console, "error").mockImplementation(() => {});
    const result = await reconcileApiKeys(env, later());
    expect(result).toMatchObject({ relisted: 0, lineageRevoked: 2, stopped: false });
    for (const key of [maker.apiKey, made.apiKey]) expect(await works(key)).toBe(false);
    expect(await listedIds()).toEqual([operator.id]);
  });

  it("the keys it made that are still listed go with it", async () => {
    const operator = await operatorKey();
    const maker = await make(operator.key, "maker");
    const made = await make(maker.apiKey, "made");
    const grandchild = await make(made.apiKey, "grandchild");
    await unlist(made.id);
    expect((await as(operator.key, "DELETE", `/api-keys/${maker.id}`)).status).toBe(200);
    for (const key of [made.apiKey, grandchild.apiKey]) expect(await works(key)).toBe(true);
    const lines = logLines();
    const result = await reconcileApiKeys(env, later());
    expect(result).toMatchObject({ relisted: 0, lineageRevoked: 2 });
    for (const key of [made.apiKey, grandchild.apiKey]) expect(await works(key)).toBe(false);
    expect(await listedIds()).toEqual([operator.id]);
    expect(lines()).toMatchObject([{ keyIds: [made.id], revoked: [made.id, grandchild.id] }]);
  });

  it("a maker whose delete has started (listed, revoked) is gone already", async () => {
    const operator = await operatorKey();
    const maker = await make(operator.key, "maker");
    const made = await make(maker.apiKey, "made");
    await unlist(made.id);
    await env.DB.prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ?")
      .bind(Date.now(), maker.id)
      .run();
    vi.spyOn(console, "error").mockImplementation(() => {});
    // At once: the maker's own delete is not the reconciliation's to finish yet.
    const result = await reconcileApiKeys(env, Date.now());
    expect(result).toMatchObject({ relisted: 0, lineageRevoked: 1, revocationsFinished: 0 });
    expect(await works(made.apiKey)).toBe(false);
    expect(await rowOf(made.id)).toBeNull();
  });

  it("the relist checks again, in its own statement, a maker the check found listed: a delete started since, and the key is not listed but revoked by the next run", async () => {
    const operator = await operatorKey();
    const maker = await make(operator.key, "maker");
    const made = await make(maker.apiKey, "made");
    await unlist(made.id);
    const kvKey = await recordKvKey(made.apiKey);
    const record = JSON.parse((await env.API_KEYS.get(kvKey)) as string) as KeyRecord;
    // The check found the maker listed; its delete starts before the relist writes.
    await env.DB.prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ?")
      .bind(Date.now(), maker.id)
      .run();
    expect(await relist(new Db(env.DB), [{ kvKey, record }], new Set([maker.id]))).toBe(0);
    expect(await rowOf(made.id)).toBeNull();
    vi.spyOn(console, "error").mockImplementation(() => {});
    expect(await reconcileApiKeys(env, Date.now())).toMatchObject({ lineageRevoked: 1 });
    expect(await works(made.apiKey)).toBe(false);
  });
});

describe("when the listing looks wrong, the reconciliation removes nothing and logs an error", () => {
  it("no listed key at all while KV holds keys made over the API (the wrong database)", async () => {
    const operator = await operatorKey();
    const made = [await make(operator.key), await make(operator.key), await make(operator.key)];
    await env.DB.prepare("DELETE FROM api_keys").run();
    const lines = logLines();
    const result = await reconcileApiKeys(env, later());
    expect(result).toMatchObject({ unlistedRemoved: 0, relisted: 0, stopped: true });
    for (const k of made) expect(await works(k.apiKey)).toBe(true);
    expect(await listedIds()).toEqual([]);
    expect(lines()).toEqual([
      {
        level: "error",
        message: "API key reconciliation stopped: the listing looks wrong, nothing removed",
        reason: "the listing is empty while KV holds keys made over the API or marked listed",
      },
    ]);
  });

  it(`more than ${MAX_REMOVALS} to remove in one run`, async () => {
    await operatorKey();
    const old = Date.now() - RECONCILE_AFTER_MS - 1000;
    const orphans = [];
    for (let i = 0; i <= MAX_REMOVALS; i++) orphans.push(await unlistedRecord(old));
    const lines = logLines();
    expect(await reconcileApiKeys(env, Date.now())).toMatchObject({
      unlistedRemoved: 0,
      stopped: true,
    });
    for (const { kvKey } of orphans) expect(await env.API_KEYS.get(kvKey)).not.toBeNull();
    expect(lines()).toEqual([
      {
        level: "error",
        message: "API key reconciliation stopped: the listing looks wrong, nothing removed",
        reason: `more than ${MAX_REMOVALS} keys or listings to remove in one run`,
      },
    ]);
  });
});

describe("the scan position survives between runs", () => {
  const position = async () =>
    (
      await env.DB.prepare("SELECT value FROM service_state WHERE name = ?")
        .bind(POSITION)
        .first<{ value: string }>()
    )?.value;

  it("each run goes on where the last one stopped, and a pass ends back at the start", async () => {
    const operator = await operatorKey();
    const made = [await make(operator.key), await make(operator.key), await make(operator.key)];
    await unlist(...made.map((k) => k.id));
    vi.spyOn(console, "error").mockImplementation(() => {});
    // Four id entries (the operator's too), two a run: two runs list all three again.
    const small = { pageSize: 2, maxPages: 1 };
    const first = await reconcileApiKeys(env, later(), small);
    expect(first).toMatchObject({ passComplete: false });
    expect(JSON.parse((await position()) as string)).toEqual({
      cursor: expect.any(String),
      after: expect.stringMatching(/^apikeyid:/),
    });
    const second = await reconcileApiKeys(env, later(), small);
    expect(second).toMatchObject({ passComplete: true });
    expect(first.relisted + second.relisted).toBe(3);
    expect((await listedIds()).sort()).toEqual([operator.id, ...made.map((k) => k.id)].sort());
    expect(JSON.parse((await position()) as string)).toEqual({ cursor: null, after: "" });
  });

  it("starts over when KV no longer accepts the stored cursor", async () => {
    await operatorKey();
    await env.DB.prepare("INSERT INTO service_state (name, value, updated_at) VALUES (?, ?, 0)")
      .bind(POSITION, JSON.stringify({ cursor: "expired", after: "apikeyid:" }))
      .run();
    const old = await unlistedRecord(Date.now() - RECONCILE_AFTER_MS - 1000);
    const refusing = new Proxy(env.API_KEYS, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (prop === "list") {
          return (options: KVNamespaceListOptions) =>
            options.cursor ? Promise.reject(new Error("invalid cursor")) : target.list(options);
        }
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const lines = logLines();
    const result = await reconcileApiKeys({ ...env, API_KEYS: refusing }, Date.now());
    expect(result).toMatchObject({ unlistedRemoved: 1, passComplete: true });
    expect(await env.API_KEYS.get(old.kvKey)).toBeNull();
    expect(lines().map((l) => l.message)).toEqual([
      "API key reconciliation: KV refused its cursor, starting over",
    ]);
  });
});
