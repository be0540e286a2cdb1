import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { backfillListing, listKeys, revokeKey, storeNewKey } from "../../scripts/lib/keys";
import { clearKeyCache } from "../../src/auth/key-cache";
import { buildKeyRecord, generateApiKey, keyEntries, recordKvKey } from "../../src/lib/api-keys";
import { newId } from "../../src/lib/ids";
import { bindingKv } from "../helpers/binding-kv";
import { bindingSql } from "../helpers/binding-sql";
import { call, client, expectError } from "../helpers/http";
import { uniqueOrg } from "../helpers/keys";

type ApiKey = {
  object: string;
  livemode: boolean;
  id: string;
  name: string;
  prefix: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  createdAt: string;
};
type Created = ApiKey & { apiKey: string };
type List = { object: "list"; data: ApiKey[]; hasMore: boolean };

/** The CLI's stores: the KV namespace and the database the worker reads. */
const cli = { kv: bindingKv(env.API_KEYS, ""), sql: bindingSql(env.DB) };

/** A client of the current version, where the API key resource lives. */
const api = (orgId: string) => client(orgId, "test", "2026-07-31");

const asKey = (key: string) =>
  call("GET", "/api/v1/plans", {
    headers: { "x-api-key": key, "Commet-Version": "2026-07-31" },
  });

describe("the CLI and the API see the same keys", () => {
  it("a key made by the CLI is listed by the API and revoked by it", async () => {
    const orgId = uniqueOrg();
    const made = await storeNewKey(cli.kv, cli.sql, {
      orgId,
      mode: "test",
      name: "deploy",
      tier: "standard",
      expiresInDays: null,
    });
    const http = await api(orgId);
    const list = await http.get<List>("/api-keys");
    expect(list.status).toBe(200);
    // Newest first: the test client's own key, listed as key:create lists it, then this one.
    expect(list.body.data).toEqual([
      expect.objectContaining({ name: "test", createdBy: null }),
      {
        object: "api_key",
        livemode: false,
        id: made.record.id,
        name: "deploy",
        prefix: made.apiKey.slice(0, 12),
        expiresAt: null,
        lastUsedAt: null,
        createdAt: made.record.createdAt,
        createdBy: null,
      },
    ]);

    expect((await asKey(made.apiKey)).status).toBe(200);
    const deleted = await http.del(`/api-keys/${made.record.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({
      id: made.record.id,
      deleted: true,
      object: "api_key",
      livemode: false,
    });
    expectError(await asKey(made.apiKey), 401, "unauthorized");
    expect(await cli.kv.getMany([await recordKvKey(made.apiKey)])).toEqual(
      new Map([[await recordKvKey(made.apiKey), null]]),
    );
    const left = (await listKeys(cli.kv, cli.sql, { orgId, mode: "test" })).keys;
    expect(left.map((k) => k.name)).toEqual(["test"]);
  });

  it("a key made by the API is listed by the CLI and revoked by it", async () => {
    const orgId = uniqueOrg();
    const http = await api(orgId);
    const made = (await http.post<Created>("/api-keys", { name: "from the API" })).body;
    expect((await asKey(made.apiKey)).status).toBe(200);

    const listed = await listKeys(cli.kv, cli.sql, { orgId, mode: "test" });
    expect(listed.keys).toEqual([
      {
        id: made.id,
        name: "from the API",
        tier: "standard",
        createdAt: Date.parse(made.createdAt),
        expiresAt: Date.parse(made.expiresAt as string),
        lastUsedAt: expect.any(Number),
        // The test client's key made it.
        createdBy: expect.stringMatching(/^key_/),
      },
      expect.objectContaining({ name: "test", createdBy: null }),
    ]);
    expect(listed.unlisted).toBe(0);

    const revoked = await revokeKey(cli.kv, cli.sql, made.id);
    expect(revoked).toMatchObject({ revoked: { id: made.id, orgId, mode: "test" } });
    // The CLI runs in another process: this isolate forgets the key within the
    // revocation delay, which the test skips.
    clearKeyCache();
    expectError(await asKey(made.apiKey), 401, "unauthorized");
    expect((await http.get<List>("/api-keys")).body.data.map((k) => k.name)).toEqual(["test"]);
  });

  it("key:revoke revokes the keys the key made over the API, directly or through them", async () => {
    const orgId = uniqueOrg();
    const ops = await storeNewKey(cli.kv, cli.sql, {
      orgId,
      mode: "test",
      name: "ops",
      tier: "unlimited",
      expiresInDays: null,
    });
    const as = (key: string, body: unknown) =>
      call("POST", "/api/v1/api-keys", {
        headers: { "x-api-key": key, "Commet-Version": "2026-07-31" },
        body,
      });
    const child = (await as(ops.apiKey, { name: "child" })).body as Created;
    const grandchild = (await as(child.apiKey, { name: "grandchild" })).body as Created;
    const other = await storeNewKey(cli.kv, cli.sql, {
      orgId,
      mode: "test",
      name: "other",
      tier: "unlimited",
      expiresInDays: null,
    });
    const revoked = await revokeKey(cli.kv, cli.sql, ops.record.id);
    expect(revoked).toEqual({ revoked: ops.record, made: [child.id, grandchild.id].sort() });
    clearKeyCache();
    for (const key of [ops.apiKey, child.apiKey, grandchild.apiKey]) {
      expectError(await asKey(key), 401, "unauthorized");
      expect(await env.API_KEYS.get(await recordKvKey(key))).toBeNull();
    }
    expect(
      (await listKeys(cli.kv, cli.sql, { orgId, mode: "test" })).keys.map((k) => k.id),
    ).toEqual([other.record.id]);
  });

  it("key:backfill lists a key from before the listing, once, with the mode prefix only", async () => {
    // A namespace of this test's own, so the backfill sees only its records.
    const kv = bindingKv(env.API_KEYS);
    const orgId = uniqueOrg();
    const record = buildKeyRecord(
      { orgId, mode: "test", name: "old", tier: "standard", expiresInDays: 90 },
      newId("key"),
    );
    await kv.putMany(await keyEntries(generateApiKey("test"), record));
    expect((await listKeys(kv, cli.sql, { orgId, mode: "test" })).unlisted).toBe(1);

    expect(await backfillListing(kv, cli.sql)).toMatchObject({ listed: 1 });
    expect(await backfillListing(kv, cli.sql)).toMatchObject({ listed: 0, alreadyListed: 1 });

    const list = await (await api(orgId)).get<List>("/api-keys");
    expect(list.body.data).toEqual([
      expect.objectContaining({ name: "test" }),
      {
        object: "api_key",
        livemode: false,
        id: record.id,
        name: "old",
        prefix: "ck_test_",
        expiresAt: record.expiresAt,
        lastUsedAt: null,
        createdAt: record.createdAt,
        createdBy: null,
      },
    ]);
    expect((await listKeys(kv, cli.sql, { orgId, mode: "test" })).unlisted).toBe(0);
  });
});
