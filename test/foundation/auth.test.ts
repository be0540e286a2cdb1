import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { REFUSALS } from "../../src/auth/credentials";
import { recordKvKey } from "../../src/lib/api-keys";
import { call, expectError } from "../helpers/http";
import { createKey, uniqueOrg } from "../helpers/keys";

const list = (headers: Record<string, string>) => call("GET", "/api/v1/plan-groups", { headers });

describe("API key authentication", () => {
  it("accepts x-api-key and Bearer", async () => {
    const { key } = await createKey(uniqueOrg());
    expect((await list({ "x-api-key": key })).status).toBe(200);
    expect((await list({ authorization: `Bearer ${key}` })).status).toBe(200);
  });

  it.each([
    ["no key", {}, "missing"],
    ["an empty key", { "x-api-key": "" }, "missing"],
    ["a bare Bearer", { authorization: "Bearer" }, "missing"],
    ["a malformed key", { "x-api-key": "sk_test_123" }, "malformed"],
    ["a too-short key", { "x-api-key": "ck_test_abc" }, "malformed"],
    ["a wrong mode prefix", { "x-api-key": `ck_prod_${"a".repeat(40)}` }, "malformed"],
    ["Basic auth", { authorization: "Basic Y2tfdGVzdF8xMjM=" }, "malformed"],
    ["a malformed Bearer key", { authorization: "Bearer sk_live_123" }, "malformed"],
    ["an unknown key", { "x-api-key": `ck_test_${"a".repeat(40)}` }, "key"],
    ["an unknown Bearer key", { authorization: `Bearer ck_live_${"b".repeat(40)}` }, "key"],
  ] as const)(
    "refuses %s with 401 unauthorized and says which case it is",
    async (_, headers, kind) => {
      const res = await list(headers);
      expectError(res, 401, "unauthorized");
      expect(res.body.error?.type).toBe("authentication_error");
      expect(res.body.error?.message).toBe(REFUSALS[kind]);
      expect(res.headers.get("x-request-id")).toBeTruthy();
    },
  );

  it("gives three different messages, each naming both headers", () => {
    const messages = Object.values(REFUSALS);
    expect(new Set(messages).size).toBe(3);
    for (const message of messages) {
      expect(message).toContain("x-api-key");
      expect(message).toContain("Authorization: Bearer");
    }
  });

  it("never echoes the key", async () => {
    const key = `ck_test_${"Z".repeat(40)}`;
    const res = await list({ "x-api-key": key });
    expect(res.text).not.toContain(key);
    expect(res.text).not.toContain("ZZZZ");
  });

  it("refuses an expired key and accepts one that has not expired", async () => {
    const org = uniqueOrg();
    const expired = await createKey(org, "test", {
      expiresAt: new Date(Date.now() - 1000).toISOString(),
    });
    const res = await list({ "x-api-key": expired.key });
    expectError(res, 401, "unauthorized");
    expect(res.body.error?.message).toBe(REFUSALS.key);
    const valid = await createKey(org, "test", { expiresInDays: 30 });
    expect((await list({ "x-api-key": valid.key })).status).toBe(200);
  });

  it("refuses a revoked key", async () => {
    const { key } = await createKey(uniqueOrg());
    await env.API_KEYS.delete(await recordKvKey(key));
    const res = await list({ "x-api-key": key });
    expectError(res, 401, "unauthorized");
    expect(res.body.error?.message).toBe(REFUSALS.key);
  });

  it("refuses a key whose prefix disagrees with its record's mode", async () => {
    const { key, record } = await createKey(uniqueOrg(), "test");
    const livePrefixed = key.replace("ck_test_", "ck_live_");
    await env.API_KEYS.put(await recordKvKey(livePrefixed), JSON.stringify(record));
    expectError(await list({ "x-api-key": livePrefixed }), 401, "unauthorized");
  });

  it("sets livemode from the key: false for test, true for live", async () => {
    const org = uniqueOrg();
    for (const mode of ["test", "live"] as const) {
      const { key } = await createKey(org, mode);
      const res = await call("POST", "/api/v1/plan-groups", {
        headers: { "x-api-key": key },
        body: { name: "g" },
      });
      // No Commet-Version, no pin: the current version, whose body is the object itself.
      expect((res.body as { livemode: boolean }).livemode).toBe(mode === "live");
    }
  });

  it("runs before body validation: no key learns nothing about the schema", async () => {
    const res = await call("POST", "/api/v1/plan-groups", { body: { bogus: true } });
    expectError(res, 401, "unauthorized");
    const raw = await call("POST", "/api/v1/plan-groups", {
      rawBody: "{",
      headers: { "content-type": "text/plain" },
    });
    expectError(raw, 401, "unauthorized");
  });
});

describe("key records in KV", () => {
  it("stores the SHA-256 of the key with the documented record, never the key", async () => {
    const org = uniqueOrg();
    const { key, record } = await createKey(org, "live", { name: "ci", expiresInDays: 30 });
    const hash = [
      ...new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key))),
    ]
      .map((b) => b.toString(16).padStart(2, "0"))
      .join("");
    const stored = await env.API_KEYS.get(`apikey:${hash}`, "json");
    expect(stored).toEqual(record);
    expect(Object.keys(stored as object).sort()).toEqual(
      // createdBy: null, the operator's (docs/api-keys.md, "Lineage").
      ["createdAt", "createdBy", "expiresAt", "id", "mode", "name", "orgId", "tier"].sort(),
    );
    expect(record).toMatchObject({ orgId: org, mode: "live", name: "ci", tier: "standard" });
    expect(Date.parse(record.expiresAt as string) - Date.parse(record.createdAt)).toBe(
      30 * 86_400_000,
    );
    const all = await env.API_KEYS.list();
    for (const { name } of all.keys) {
      expect(name).not.toContain(key);
      expect(await env.API_KEYS.get(name)).not.toContain(key);
    }
    expect(await env.API_KEYS.get(`apikeyid:${record.id}`)).toBe(`apikey:${hash}`);
  });

  it("makes keys of the documented format", async () => {
    const { key } = await createKey(uniqueOrg(), "test");
    expect(key).toMatch(/^ck_test_[A-Za-z0-9]{32,}$/);
  });
});
