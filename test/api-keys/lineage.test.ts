import { env } from "cloudflare:test";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { storeNewKey } from "../../scripts/lib/keys";
import { insertListing } from "../../scripts/lib/listing";
import { setMarkDelay } from "../../src/api-keys/mark";
import { generateApiKey, type KeyRecord, keyEntries, recordKvKey } from "../../src/lib/api-keys";
import { newId } from "../../src/lib/ids";
import { bindingKv } from "../helpers/binding-kv";
import { bindingSql } from "../helpers/binding-sql";
import { type ApiResponse, call, expectError } from "../helpers/http";
import { uniqueOrg } from "../helpers/keys";

type Key = { id: string; apiKey: string };
type Listed = { id: string; createdBy: string | null };

beforeAll(() => setMarkDelay(0));
afterAll(() => setMarkDelay());

const as = (key: string, method: string, path: string, body?: unknown, version = "2026-07-31") =>
  call(method, `/api/v1${path}`, {
    headers: { "x-api-key": key, "Commet-Version": version },
    ...(body === undefined ? {} : { body }),
  });

async function make(maker: string, name: string): Promise<Key> {
  const res = await as(maker, "POST", "/api-keys", { name });
  expect(res.status).toBe(201);
  return res.body as Key;
}

const works = async (key: string) => (await as(key, "GET", "/plans")).status === 200;
const listedIds = async (key: string) =>
  ((await as(key, "GET", "/api-keys")).body as { data: Listed[] }).data.map((k) => k.id);

/** A key made as `npm run key:create` makes it: stored and listed. */
async function operatorKey(orgId: string) {
  const opts = { orgId, mode: "test", name: "ops", tier: "standard", expiresInDays: null } as const;
  const { apiKey, record } = await storeNewKey(
    bindingKv(env.API_KEYS, ""),
    bindingSql(env.DB),
    opts,
  );
  return { key: apiKey, record };
}

/**
 * The CLI's key (the operator's) made `parent` and `sibling` over the API;
 * `parent` made `child`, which made `grandchild`.
 */
async function family() {
  const orgId = uniqueOrg();
  const operator = await operatorKey(orgId);
  const parent = await make(operator.key, "parent");
  const sibling = await make(operator.key, "sibling");
  const child = await make(parent.apiKey, "child");
  const grandchild = await make(child.apiKey, "grandchild");
  return { orgId, operator, parent, sibling, child, grandchild };
}

function expectForbidden(res: ApiResponse) {
  expectError(res, 403, "forbidden", "id");
  expect(res.body.error?.type).toBe("authentication_error");
}

describe("lineage: a key made over the API manages only itself and what it made", () => {
  it("cannot delete the operator's key, a sibling, or its own maker (403), and deletes nothing", async () => {
    const { operator, parent, sibling, child } = await family();
    expectForbidden(await as(parent.apiKey, "DELETE", `/api-keys/${operator.record.id}`));
    expectForbidden(await as(parent.apiKey, "DELETE", `/api-keys/${sibling.id}`));
    expectForbidden(await as(child.apiKey, "DELETE", `/api-keys/${parent.id}`));
    for (const key of [operator.key, parent.apiKey, sibling.apiKey, child.apiKey]) {
      expect(await works(key)).toBe(true);
    }
    expect(await listedIds(operator.key)).toEqual(expect.arrayContaining([parent.id, sibling.id]));
  });

  it("a foreign or unknown id stays 404", async () => {
    const { parent } = await family();
    const other = await family();
    expectError(
      await as(parent.apiKey, "DELETE", `/api-keys/${other.child.id}`),
      404,
      "api_key_not_found",
      "id",
    );
    expectError(
      await as(parent.apiKey, "DELETE", "/api-keys/key_01m8cjah6ems22m6940mpxezdh"),
      404,
      "api_key_not_found",
      "id",
    );
    expect(await works(other.child.apiKey)).toBe(true);
  });

  it("deletes what it made, directly or through them, and itself", async () => {
    const { parent, child, grandchild, sibling } = await family();
    expect((await as(parent.apiKey, "DELETE", `/api-keys/${grandchild.id}`)).status).toBe(200);
    expect(await works(grandchild.apiKey)).toBe(false);
    expect(await works(child.apiKey)).toBe(true);
    expect((await as(parent.apiKey, "DELETE", `/api-keys/${parent.id}`)).status).toBe(200);
    expect(await works(parent.apiKey)).toBe(false);
    expect(await works(sibling.apiKey)).toBe(true);
  });

  it("deleting a key revokes every key it made at once, in this isolate, and unlists them", async () => {
    const { operator, parent, sibling, child, grandchild } = await family();
    // Cached in this isolate, so only forgetting them refuses them before KV agrees.
    for (const key of [child.apiKey, grandchild.apiKey]) expect(await works(key)).toBe(true);
    const res = await as(parent.apiKey, "DELETE", `/api-keys/${parent.id}`);
    expect(res.body).toEqual({ id: parent.id, deleted: true, object: "api_key", livemode: false });
    for (const key of [parent.apiKey, child.apiKey, grandchild.apiKey]) {
      expectError(await as(key, "GET", "/plans"), 401, "unauthorized");
      expect(await env.API_KEYS.get(await recordKvKey(key))).toBeNull();
    }
    for (const { id } of [parent, child, grandchild]) {
      expect(await env.API_KEYS.get(`apikeyid:${id}`)).toBeNull();
    }
    expect(await listedIds(operator.key)).toEqual([sibling.id, operator.record.id]);
    expect(await works(sibling.apiKey)).toBe(true);
  });

  it("the operator's key deletes any key of its organization and mode, with what it made", async () => {
    const { operator, parent, child, grandchild, sibling } = await family();
    expect((await as(operator.key, "DELETE", `/api-keys/${child.id}`)).status).toBe(200);
    expect(await works(child.apiKey)).toBe(false);
    expect(await works(grandchild.apiKey)).toBe(false);
    expect(await works(parent.apiKey)).toBe(true);
    expect((await as(operator.key, "DELETE", `/api-keys/${sibling.id}`)).status).toBe(200);
    expect(await listedIds(operator.key)).toEqual([parent.id, operator.record.id]);
  });

  it("lists createdBy in both API versions, and answers it on create", async () => {
    const { operator, parent, sibling, child, grandchild } = await family();
    const current = (await as(operator.key, "GET", "/api-keys")).body as { data: Listed[] };
    const legacy = (await as(operator.key, "GET", "/api-keys", undefined, "2026-07-11")).body as {
      success: boolean;
      data: Listed[];
    };
    const expected = [
      { id: grandchild.id, createdBy: child.id },
      { id: child.id, createdBy: parent.id },
      { id: sibling.id, createdBy: operator.record.id },
      { id: parent.id, createdBy: operator.record.id },
      { id: operator.record.id, createdBy: null },
    ];
    for (const body of [current, legacy]) {
      expect(body.data.map(({ id, createdBy }) => ({ id, createdBy }))).toEqual(expected);
    }
    const made = await as(child.apiKey, "POST", "/api-keys", { name: "more" });
    expect(made.body).toMatchObject({ createdBy: child.id });
  });
});

/** A record as the API or the CLI wrote it before keys recorded their maker. */
async function legacyKey(orgId: string, metadata: unknown) {
  const apiKey = generateApiKey("test");
  const record: Omit<KeyRecord, "createdBy"> = {
    id: newId("key"),
    orgId,
    mode: "test",
    name: "legacy",
    tier: "standard",
    createdAt: new Date().toISOString(),
    expiresAt: null,
  };
  const [auth, byId] = await keyEntries(apiKey, record);
  if (!auth || !byId) throw new Error("no entries");
  await env.API_KEYS.put(auth.key, auth.value, metadata === null ? {} : { metadata });
  await env.API_KEYS.put(byId.key, byId.value);
  // Listed by `npm run key:backfill`, as a key must be to make keys.
  await env.DB.prepare(insertListing(record, auth.key, "ck_test_")).run();
  return { apiKey, id: record.id };
}

describe("records from before lineage", () => {
  it("one the API wrote manages only itself and what it makes; one the CLI wrote, everything", async () => {
    const orgId = uniqueOrg();
    const operator = await operatorKey(orgId);
    const other = await make(operator.key, "other");
    const byApi = await legacyKey(orgId, { via: "api", createdAt: Date.now() });
    const byCli = await legacyKey(orgId, null);
    expectForbidden(await as(byApi.apiKey, "DELETE", `/api-keys/${other.id}`));
    const made = await make(byApi.apiKey, "made by legacy");
    expect((await as(byApi.apiKey, "DELETE", `/api-keys/${made.id}`)).status).toBe(200);
    expect((await as(byCli.apiKey, "DELETE", `/api-keys/${other.id}`)).status).toBe(200);
    expect(await works(other.apiKey)).toBe(false);
  });
});
