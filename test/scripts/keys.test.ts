import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  backfillListing,
  ensureListed,
  listKeyRecords,
  listKeys,
  revokeKey,
  storeNewKey,
} from "../../scripts/lib/keys";
import { backfillPins, pinEntry, readPin } from "../../scripts/lib/pins";
import {
  buildKeyRecord,
  generateApiKey,
  idKvKey,
  type KeyOptions,
  keyEntries,
  recordKvKey,
} from "../../src/lib/api-keys";
import { newId } from "../../src/lib/ids";
import { CURRENT_VERSION, LEGACY_VERSION } from "../../src/versions/ids";
import { bindingKv } from "../helpers/binding-kv";
import { bindingSql } from "../helpers/binding-sql";
import { call } from "../helpers/http";
import { uniqueOrg } from "../helpers/keys";

const opts = (orgId: string, over: Partial<KeyOptions> = {}): KeyOptions => ({
  orgId,
  mode: "test",
  name: "ci",
  tier: "standard",
  expiresInDays: null,
  ...over,
});

const sql = bindingSql(env.DB);

/** The listing row of a key, as stored. */
const listingRow = (id: string) =>
  env.DB.prepare("SELECT * FROM api_keys WHERE id = ?").bind(id).first();

/** A key from before the listing: its KV entries only. */
async function kvOnlyKey(kv: ReturnType<typeof bindingKv>, over: Partial<KeyOptions> = {}) {
  const o = opts(uniqueOrg(), over);
  const apiKey = generateApiKey(o.mode);
  const record = buildKeyRecord(o, newId("key"));
  await kv.putMany(await keyEntries(apiKey, record));
  return { apiKey, record, kvKey: await recordKvKey(apiKey) };
}

describe("storing keys (key:create, npm run dev)", () => {
  it("stores a key the worker accepts, then lists it", async () => {
    const { apiKey, record } = await storeNewKey(
      bindingKv(env.API_KEYS, ""),
      sql,
      opts(uniqueOrg(), { tier: "unlimited", expiresInDays: 30, name: "it's" }),
    );
    const res = await call("GET", "/api/v1/plans", { headers: { "x-api-key": apiKey } });
    expect(res.status).toBe(200);
    expect(await listingRow(record.id)).toEqual({
      id: record.id,
      org_id: record.orgId,
      mode: "test",
      name: "it's",
      prefix: apiKey.slice(0, 12),
      tier: "unlimited",
      kv_key: await recordKvKey(apiKey),
      created_at: Date.parse(record.createdAt),
      expires_at: Date.parse(record.expiresAt as string),
      // The worker noted the request above in the listing.
      last_used_at: expect.any(Number),
      revoked_at: null,
      created_by: null,
    });
  });

  it("pins an organization to the current version with its first key, and only then", async () => {
    const kv = bindingKv(env.API_KEYS);
    const org = uniqueOrg();
    const first = await storeNewKey(kv, sql, opts(org));
    expect(first).toMatchObject({ pin: CURRENT_VERSION, newPin: true });
    expect(await readPin(kv, org)).toBe(CURRENT_VERSION);

    await kv.putMany([pinEntry(org, LEGACY_VERSION)]);
    const second = await storeNewKey(kv, sql, opts(org, { mode: "live" }));
    expect(second).toMatchObject({ pin: LEGACY_VERSION, newPin: false });
    expect(await readPin(kv, org)).toBe(LEGACY_VERSION);
  });

  it("stores a given key again (the demo key) under a new record, listed once", async () => {
    const kv = bindingKv(env.API_KEYS);
    const org = uniqueOrg();
    const first = await storeNewKey(kv, sql, opts(org));
    const again = await storeNewKey(kv, sql, opts(org), first.apiKey);
    expect(again.apiKey).toBe(first.apiKey);
    expect(await listingRow(first.record.id)).toBeNull();
    expect(await listingRow(again.record.id)).toMatchObject({
      kv_key: await recordKvKey(first.apiKey),
    });
  });

  it("takes the key back when it cannot be listed: nobody has seen it", async () => {
    const kv = bindingKv(env.API_KEYS);
    // A real database without the table: the insert fails as a missing migration would.
    await expect(storeNewKey(kv, bindingSql(env.DB_EMPTY), opts(uniqueOrg()))).rejects.toThrow(
      /api_keys/,
    );
    expect(await kv.list("apikey")).toEqual([]);
  });

  it("lists a stored key that is not listed (the demo key of an older npm run dev)", async () => {
    const kv = bindingKv(env.API_KEYS);
    const { apiKey, record } = await kvOnlyKey(kv);
    expect(await ensureListed(sql, apiKey, record)).toBe(true);
    expect(await listingRow(record.id)).toMatchObject({ prefix: apiKey.slice(0, 12) });
    expect(await ensureListed(sql, apiKey, record)).toBe(false);
  });
});

describe("listing and revoking keys", () => {
  it("lists an organization's keys newest first, and counts its KV records not listed", async () => {
    const kv = bindingKv(env.API_KEYS);
    const org = uniqueOrg();
    const a = await storeNewKey(kv, sql, opts(org));
    const b = await storeNewKey(kv, sql, opts(org, { expiresInDays: 30, tier: "unlimited" }));
    await storeNewKey(kv, sql, opts(org, { mode: "live" }));
    const old = await kvOnlyKey(kv);
    await kv.putMany(
      await keyEntries(generateApiKey("test"), { ...old.record, id: newId("key"), orgId: org }),
    );
    await kv.putMany([{ key: `apikey:${"0".repeat(64)}`, value: "not json" }]);

    const { keys, unlisted, unreadable } = await listKeys(kv, sql, { orgId: org, mode: "test" });
    expect(keys.map((k) => k.id)).toEqual([a.record.id, b.record.id].sort().reverse());
    expect(keys.find((k) => k.id === b.record.id)).toEqual({
      id: b.record.id,
      name: "ci",
      tier: "unlimited",
      createdAt: Date.parse(b.record.createdAt),
      expiresAt: Date.parse(b.record.expiresAt as string),
      lastUsedAt: null,
      createdBy: null,
    });
    expect({ unlisted, unreadable }).toEqual({ unlisted: 1, unreadable: 1 });
  });

  it("revokes by id and by key, KV record and listing, and says when there is no such key", async () => {
    const kv = bindingKv(env.API_KEYS);
    const org = uniqueOrg();
    const byId = await storeNewKey(kv, sql, opts(org));
    const byKey = await storeNewKey(kv, sql, opts(org));

    expect(await revokeKey(kv, sql, byId.record.id)).toEqual({ revoked: byId.record, made: [] });
    expect(await revokeKey(kv, sql, byKey.apiKey)).toEqual({ revoked: byKey.record, made: [] });
    expect(await revokeKey(kv, sql, byId.record.id)).toBeNull();
    expect(await revokeKey(kv, sql, byKey.apiKey)).toBeNull();
    expect(await revokeKey(kv, sql, "key_unknown")).toBeNull();
    expect(await kv.list("apikey")).toEqual([]);
    expect(await listingRow(byId.record.id)).toBeNull();
    expect(await listingRow(byKey.record.id)).toBeNull();
  });

  it("removes the listing of a key whose KV record is already gone", async () => {
    const kv = bindingKv(env.API_KEYS);
    const org = uniqueOrg();
    const byId = await storeNewKey(kv, sql, opts(org));
    const byKey = await storeNewKey(kv, sql, opts(org));
    await kv.deleteMany([await recordKvKey(byId.apiKey), idKvKey(byId.record.id)]);
    await kv.deleteMany([await recordKvKey(byKey.apiKey)]);

    const tenant = { orgId: org, mode: "test" };
    expect(await revokeKey(kv, sql, byId.record.id)).toEqual({
      listingOnly: { id: byId.record.id, ...tenant },
      made: [],
    });
    expect(await revokeKey(kv, sql, byKey.apiKey)).toEqual({
      listingOnly: { id: byKey.record.id, ...tenant },
      made: [],
    });
    expect((await listKeys(kv, sql, { orgId: org, mode: "test" })).keys).toEqual([]);
    expect(await kv.list("apikey")).toEqual([]);
  });
  it("never deletes another key's record that took over the KV key of a listed one", async () => {
    const kv = bindingKv(env.API_KEYS);
    const org = uniqueOrg();
    const first = await storeNewKey(kv, sql, opts(org));
    // The same key stored again under a new record, the old listing left behind.
    const newer = { ...first.record, id: newId("key") };
    await kv.putMany(await keyEntries(first.apiKey, newer));

    expect(await revokeKey(kv, sql, first.record.id)).toEqual({
      listingOnly: { id: first.record.id, orgId: org, mode: "test" },
      made: [],
    });
    expect(await kv.list("apikey")).toEqual(
      [await recordKvKey(first.apiKey), idKvKey(newer.id)].sort(),
    );
  });
});

describe("key:backfill", () => {
  it("lists every KV record not listed yet, with the mode prefix only, once", async () => {
    const kv = bindingKv(env.API_KEYS);
    const old = await kvOnlyKey(kv, { expiresInDays: 10, name: "before", tier: "unlimited" });
    const oldLive = await kvOnlyKey(kv, { mode: "live" });
    await storeNewKey(kv, sql, opts(uniqueOrg()));
    await kv.putMany([{ key: `apikey:${"1".repeat(64)}`, value: '{"id":""}' }]);
    // Made over the API (it names its maker), unlisted by a restore: the reconciliation's to judge.
    const made = { ...buildKeyRecord(opts(uniqueOrg()), newId("key")), createdBy: newId("key") };
    await kv.putMany(await keyEntries(generateApiKey("test"), made));

    expect(await backfillListing(kv, sql)).toEqual({
      listed: 2,
      alreadyListed: 1,
      unreadable: 1,
      leftToReconciliation: 1,
    });
    expect(await listingRow(made.id)).toBeNull();
    expect(await listingRow(old.record.id)).toEqual({
      id: old.record.id,
      org_id: old.record.orgId,
      mode: "test",
      name: "before",
      prefix: "ck_test_",
      tier: "unlimited",
      kv_key: old.kvKey,
      created_at: Date.parse(old.record.createdAt),
      expires_at: Date.parse(old.record.expiresAt as string),
      last_used_at: null,
      revoked_at: null,
      created_by: null,
    });
    expect(await listingRow(oldLive.record.id)).toMatchObject({ prefix: "ck_live_" });
    // Again: nothing new.
    expect(await backfillListing(kv, sql)).toEqual({
      listed: 0,
      alreadyListed: 3,
      unreadable: 1,
      leftToReconciliation: 1,
    });
  });
});

describe("org:pin --backfill", () => {
  it("pins organizations with keys and no pin to the legacy version, never overwriting", async () => {
    const kv = bindingKv(env.API_KEYS);
    const [oldOrg, pinnedOrg] = [uniqueOrg(), uniqueOrg()];
    // Keys from before versions: records without pins.
    await storeNewKey(kv, sql, opts(oldOrg));
    await storeNewKey(kv, sql, opts(oldOrg, { mode: "live" }));
    await kv.deleteMany([`orgversion:${oldOrg}`]);
    await storeNewKey(kv, sql, opts(pinnedOrg));
    await kv.putMany([pinEntry(pinnedOrg, CURRENT_VERSION)]);

    const { records } = await listKeyRecords(kv);
    expect(records).toHaveLength(3);
    expect(await backfillPins(kv, records)).toEqual({ pinned: [oldOrg], alreadyPinned: 1 });
    expect(await readPin(kv, oldOrg)).toBe(LEGACY_VERSION);
    expect(await readPin(kv, pinnedOrg)).toBe(CURRENT_VERSION);

    // Running it again changes nothing.
    expect(await backfillPins(kv, records)).toEqual({ pinned: [], alreadyPinned: 2 });
  });
});
