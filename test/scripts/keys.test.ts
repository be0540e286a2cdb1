import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { listKeyRecords, revokeKey, storeNewKey } from "../../scripts/lib/keys";
import { backfillPins, pinEntry, readPin } from "../../scripts/lib/pins";
import { idKvKey, type KeyOptions, keyEntries } from "../../src/lib/api-keys";
import { CURRENT_VERSION, LEGACY_VERSION } from "../../src/versions/ids";
import { bindingKv } from "../helpers/binding-kv";
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

describe("storing keys (key:create, npm run dev)", () => {
  it("stores a key the worker accepts", async () => {
    const { apiKey, record } = await storeNewKey(bindingKv(env.API_KEYS, ""), opts(uniqueOrg()));
    const res = await call("GET", "/api/v1/plans", { headers: { "x-api-key": apiKey } });
    expect(res.status).toBe(200);
    expect(record.id).toMatch(/^key_/);
  });

  it("pins an organization to the current version with its first key, and only then", async () => {
    const kv = bindingKv(env.API_KEYS);
    const org = uniqueOrg();
    const first = await storeNewKey(kv, opts(org));
    expect(first).toMatchObject({ pin: CURRENT_VERSION, newPin: true });
    expect(await readPin(kv, org)).toBe(CURRENT_VERSION);

    await kv.putMany([pinEntry(org, LEGACY_VERSION)]);
    const second = await storeNewKey(kv, opts(org, { mode: "live" }));
    expect(second).toMatchObject({ pin: LEGACY_VERSION, newPin: false });
    expect(await readPin(kv, org)).toBe(LEGACY_VERSION);
  });

  it("stores a given key again (the demo key) under a new record", async () => {
    const kv = bindingKv(env.API_KEYS);
    const { apiKey } = await storeNewKey(kv, opts(uniqueOrg()));
    const again = await storeNewKey(kv, opts("org_demo"), apiKey);
    expect(again.apiKey).toBe(apiKey);
  });
});

describe("listing and revoking keys", () => {
  it("lists every readable record and counts the rest", async () => {
    const kv = bindingKv(env.API_KEYS);
    const a = await storeNewKey(kv, opts("org_a"));
    const b = await storeNewKey(kv, opts("org_b", { expiresInDays: 30 }));
    await kv.putMany([{ key: `apikey:${"0".repeat(64)}`, value: "not json" }]);
    const { records, unreadable } = await listKeyRecords(kv);
    expect(records.map((r) => r.id).sort()).toEqual([a.record.id, b.record.id].sort());
    expect(unreadable).toBe(1);
  });

  it("revokes by id and by key, and says when there is no such key", async () => {
    const kv = bindingKv(env.API_KEYS);
    const byId = await storeNewKey(kv, opts("org_a"));
    const byKey = await storeNewKey(kv, opts("org_a"));

    expect(await revokeKey(kv, byId.record.id)).toEqual(byId.record);
    expect(await revokeKey(kv, byKey.apiKey)).toEqual(byKey.record);
    expect(await revokeKey(kv, byId.record.id)).toBeNull();
    expect(await revokeKey(kv, "key_unknown")).toBeNull();
    expect(await kv.list("apikey")).toEqual([]);
  });

  it("deletes the id entry of a key revoked by its key", async () => {
    const kv = bindingKv(env.API_KEYS);
    const { apiKey, record } = await storeNewKey(kv, opts("org_a"));
    const [, idEntry] = await keyEntries(apiKey, record);
    expect(await kv.list("apikeyid:")).toEqual([idEntry?.key]);
    await revokeKey(kv, apiKey);
    expect((await kv.getMany([idKvKey(record.id)])).get(idKvKey(record.id))).toBeNull();
  });
});

describe("org:pin --backfill", () => {
  it("pins organizations with keys and no pin to the legacy version, never overwriting", async () => {
    const kv = bindingKv(env.API_KEYS);
    // Keys from before versions: records without pins.
    const old = await storeNewKey(kv, opts("org_old"));
    const old2 = await storeNewKey(kv, opts("org_old", { mode: "live" }));
    await kv.deleteMany(["orgversion:org_old"]);
    const pinned = await storeNewKey(kv, opts("org_pinned"));
    await kv.putMany([pinEntry("org_pinned", CURRENT_VERSION)]);

    const { records } = await listKeyRecords(kv);
    expect(records).toHaveLength(3);
    expect(await backfillPins(kv, records)).toEqual({ pinned: ["org_old"], alreadyPinned: 1 });
    expect(await readPin(kv, "org_old")).toBe(LEGACY_VERSION);
    expect(await readPin(kv, "org_pinned")).toBe(CURRENT_VERSION);

    // Running it again changes nothing.
    expect(await backfillPins(kv, records)).toEqual({ pinned: [], alreadyPinned: 2 });
    expect([old, old2, pinned].every((k) => k.record.id.startsWith("key_"))).toBe(true);
  });
});
