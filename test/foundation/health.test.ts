import { afterEach, describe, expect, it, vi } from "vitest";
import { newEncryptionKey } from "../helpers/encryption";
import { call } from "../helpers/http";

afterEach(() => vi.restoreAllMocks());

describe("GET /health", () => {
  it("answers ok without auth", async () => {
    const res = await call("GET", "/health");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
    expect(res.headers.get("x-request-id")).toMatch(/^req_[0-9a-f]{32}$/);
  });

  it("is ready with previous keys that are well formed", async () => {
    const previous = `${newEncryptionKey()}, ${newEncryptionKey()}`;
    const res = await call("GET", "/health", {
      bindings: { ENCRYPTION_KEY: newEncryptionKey(), ENCRYPTION_KEYS_PREVIOUS: previous },
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
  });

  it("answers 503 naming a missing encryption key, and logs it once", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const previous = newEncryptionKey();
    for (let i = 0; i < 3; i++) {
      const res = await call("GET", "/health", {
        bindings: { ENCRYPTION_KEY: undefined, ENCRYPTION_KEYS_PREVIOUS: previous },
      });
      expect(res.status).toBe(503);
      expect(res.body).toEqual({ ok: false, checks: { ENCRYPTION_KEY: "missing" } });
    }
    const lines = errors.mock.calls.map(([line]) => JSON.parse(String(line)));
    expect(lines).toEqual([
      expect.objectContaining({
        level: "error",
        message: "not ready: a Worker secret is missing or malformed",
        checks: { ENCRYPTION_KEY: "missing" },
      }),
    ]);
  });

  it("answers 503 naming malformed keys without revealing them", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const garbage = "s3cr3t-but-not-base64";
    const res = await call("GET", "/health", {
      bindings: {
        ENCRYPTION_KEY: garbage,
        ENCRYPTION_KEYS_PREVIOUS: `${newEncryptionKey()},dG9vIHNob3J0`,
      },
    });
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      ok: false,
      checks: {
        ENCRYPTION_KEY: "malformed: not base64 (expected base64 of 32 bytes)",
        ENCRYPTION_KEYS_PREVIOUS: "malformed: entry 2 of 2: 9 bytes, expected 32",
      },
    });
    expect(res.text).not.toContain(garbage);
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
  });
});
