import { env } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { pinKvKey } from "../../src/versions/ids";
import { clearPinCache } from "../../src/versions/pins";
import { call, client, expectError } from "../helpers/http";
import { newIdempotencyKey, settled } from "../helpers/idempotency";
import { createKey, uniqueOrg } from "../helpers/keys";

const get = (key: string, headers: Record<string, string> = {}) =>
  call("GET", "/api/v1/plan-groups", { headers: { "x-api-key": key, ...headers } });

describe("which version answers", () => {
  it("the header, else the organization's pin, else the current version", async () => {
    const orgId = uniqueOrg();
    const { key } = await createKey(orgId);
    const current = await get(key);
    expect(current.headers.get("commet-version")).toBe("2026-07-31");
    expect(current.body).toMatchObject({ object: "list" });

    await env.API_KEYS.put(pinKvKey(orgId), "2026-07-11");
    clearPinCache();
    const pinned = await get(key);
    expect(pinned.headers.get("commet-version")).toBe("2026-07-11");
    expect(pinned.body).toMatchObject({ success: true, data: [] });

    const named = await get(key, { "commet-version": "2026-07-31" });
    expect(named.headers.get("commet-version")).toBe("2026-07-31");
    expect(named.body).toMatchObject({ object: "list" });
    // The header's name is case-insensitive; surrounding spaces do not matter.
    expect((await get(key, { "COMMET-VERSION": " 2026-07-11 " })).body).toMatchObject({
      success: true,
    });
  });

  it("an unknown version is a 400 naming the versions, shaped as the current one", async () => {
    const { key } = await createKey(uniqueOrg());
    for (const sent of ["2026-07-32", "latest", "2026-07-11, 2026-07-31"]) {
      const res = await get(key, { "Commet-Version": sent });
      expectError(res, 400, "validation_error", "Commet-Version");
      expect(res.headers.get("commet-version")).toBe("2026-07-31");
      expect(res.body).not.toHaveProperty("success");
      expect(res.body.error?.message).toContain("2026-07-11, 2026-07-31");
    }
  });

  it("authentication comes first, and a 401 or route 404 is shaped by the header", async () => {
    const none = await call("GET", "/api/v1/plan-groups", {
      headers: { "Commet-Version": "2026-07-32" },
    });
    expectError(none, 401, "unauthorized");
    expect(none.headers.get("commet-version")).toBe("2026-07-31");
    const legacy = await call("GET", "/api/v1/plan-groups", {
      headers: { "Commet-Version": "2026-07-11" },
    });
    expect(legacy.body).toMatchObject({ success: false, error: { code: "unauthorized" } });
    expect(legacy.headers.get("commet-version")).toBe("2026-07-11");
    const route = await call("GET", "/nowhere", { headers: { "Commet-Version": "2026-07-11" } });
    expect(route.body).toMatchObject({ success: false, error: { code: "not_found" } });
    expect((await call("GET", "/nowhere")).body).not.toHaveProperty("success");
  });

  it("every response says its version, outside /api too", async () => {
    expect((await call("GET", "/health")).headers.get("commet-version")).toBe("2026-07-31");
    const api = await client(undefined, "test", "2026-07-11");
    const created = await api.post("/plan-groups", { name: "v" });
    expect(created.headers.get("commet-version")).toBe("2026-07-11");
  });

  it("a pin the worker cannot read falls back to the current version", async () => {
    const orgId = uniqueOrg();
    const { key } = await createKey(orgId);
    await env.API_KEYS.put(pinKvKey(orgId), "2026-13-99");
    clearPinCache();
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await get(key);
    expect(res.status).toBe(200);
    expect(res.headers.get("commet-version")).toBe("2026-07-31");
    expect(errors.mock.calls.map(([line]) => JSON.parse(String(line)))).toEqual([
      { level: "error", message: "unknown pinned API version", orgId, pin: "2026-13-99" },
    ]);
    errors.mockRestore();
  });
});

describe("an idempotent replay", () => {
  it("returns the first answer as it was sent, whatever version the retry asks for", async () => {
    const api = await client(undefined, "test", "2026-07-11");
    const key = newIdempotencyKey();
    const first = await api.call("POST", "/plan-groups", {
      body: { name: "Once" },
      headers: { "Idempotency-Key": key },
    });
    expect(first.status).toBe(201);
    const retry = await settled(() =>
      api.call("POST", "/plan-groups", {
        body: { name: "Once" },
        headers: { "Idempotency-Key": key, "Commet-Version": "2026-07-31" },
      }),
    );
    expect(retry.status).toBe(201);
    expect(retry.text).toBe(first.text);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.headers.get("commet-version")).toBe("2026-07-11");
  });
});
