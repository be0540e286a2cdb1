import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { REFUSALS } from "../../src/auth/credentials";
import { buildKeyRecord, generateApiKey, recordKvKey } from "../../src/lib/api-keys";
import { newId } from "../../src/lib/ids";
import { call, expectError } from "../helpers/http";
import { uniqueOrg } from "../helpers/keys";

const list = (key: string) => call("GET", "/api/v1/plan-groups", { headers: { "x-api-key": key } });

function validRecord(): Record<string, unknown> {
  return buildKeyRecord(
    { orgId: uniqueOrg(), mode: "test", name: "n", tier: "standard", expiresInDays: 30 },
    newId("key"),
  );
}

/** Stores `value` as the record of a new key, bypassing the CLI's checks. */
async function storeRaw(value: string) {
  const key = generateApiKey("test");
  const kvKey = await recordKvKey(key);
  await env.API_KEYS.put(kvKey, value);
  return { key, kvKey };
}

const edit = (change: Record<string, unknown>) => JSON.stringify({ ...validRecord(), ...change });
const without = (field: string) => {
  const record = validRecord();
  delete record[field];
  return JSON.stringify(record);
};

afterEach(() => vi.restoreAllMocks());

describe("key records in KV are read strictly (fail closed)", () => {
  it("accepts a record as the CLI writes it", async () => {
    const { key } = await storeRaw(JSON.stringify(validRecord()));
    expect((await list(key)).status).toBe(200);
  });

  it("accepts a record written before keys recorded their maker (no createdBy)", async () => {
    const { key } = await storeRaw(without("createdBy"));
    expect((await list(key)).status).toBe(200);
  });

  it.each([
    ["not JSON", "{not json"],
    ["a JSON string", '"apikey"'],
    ["null", "null"],
    ["an array", "[]"],
    ["expiresAt that is no date", edit({ expiresAt: "not-a-date" })],
    ["expiresAt that is no calendar date", edit({ expiresAt: "2020-13-45T00:00:00Z" })],
    ["expiresAt on 31 April", edit({ expiresAt: "2099-04-31T00:00:00Z" })],
    ["expiresAt without a time", edit({ expiresAt: "2099-01-01" })],
    ["expiresAt as a number", edit({ expiresAt: 4_102_444_800_000 })],
    ["expiresAt missing", without("expiresAt")],
    ["createdAt that is no date", edit({ createdAt: "yesterday" })],
    ["an empty id", edit({ id: "" })],
    ["a blank id", edit({ id: " " })],
    ["a numeric id", edit({ id: 42 })],
    ["no id", without("id")],
    ["an empty orgId", edit({ orgId: "" })],
    ["an unknown mode", edit({ mode: "prod" })],
    ["an unknown tier", edit({ tier: "gold" })],
    ["no tier", without("tier")],
    ["a createdBy that is no key id", edit({ createdBy: "" })],
    ["a numeric createdBy", edit({ createdBy: 7 })],
  ])("refuses a record with %s, and logs its KV key", async (_, value) => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const { key, kvKey } = await storeRaw(value);
    const res = await list(key);
    expectError(res, 401, "unauthorized");
    expect(res.body.error?.message).toBe(REFUSALS.key);
    const lines = errors.mock.calls.map((args) => JSON.parse(String(args[0])));
    expect(lines).toEqual([
      expect.objectContaining({
        level: "error",
        message: "invalid API key record: key refused",
        kvKey,
        requestId: res.headers.get("x-request-id"),
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain(key);
  });

  it("names the fields that are wrong, not their values", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const { key } = await storeRaw(edit({ expiresAt: "not-a-date", tier: "gold" }));
    await list(key);
    const [line] = errors.mock.calls.map((args) => JSON.parse(String(args[0])));
    expect(line.problems).toEqual(["tier", "expiresAt"]);
  });
});
