import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { newEncryptionKey } from "../helpers/encryption";
import { type ApiResponse, client, expectError } from "../helpers/http";
import { newIdempotencyKey, settled, untilStored } from "../helpers/idempotency";

afterEach(() => vi.restoreAllMocks());

type Created = { data: { id: string; secretKey?: string; apiKey?: string } };

/** Error lines written while `run` ran, parsed. */
async function errorsOf<T>(run: () => Promise<T>) {
  const lines: Record<string, unknown>[] = [];
  vi.spyOn(console, "error").mockImplementation((line: unknown) =>
    lines.push(JSON.parse(String(line))),
  );
  const result = await run();
  vi.restoreAllMocks();
  return { result, lines };
}

const message = (res: ApiResponse) => res.body.error?.message ?? "";

describe("stored answers that hold a secret", () => {
  it("are replayed under a rotated key ring, and refused with a retry-later message when the key is gone", async () => {
    const api = await client();
    const key = newIdempotencyKey();
    const send = (bindings?: Partial<Cloudflare.Env>) =>
      api.call<Created>("POST", "/webhooks", {
        body: { url: "https://sealed.example.com/h", events: ["*"] },
        headers: { "Idempotency-Key": key },
        bindings,
      });
    const first = await send();
    expect(first.status).toBe(201);
    await settled(() => send());

    const rotated = {
      ENCRYPTION_KEY: newEncryptionKey(),
      ENCRYPTION_KEYS_PREVIOUS: env.ENCRYPTION_KEY,
    };
    const replay = await send(rotated);
    expect(replay.status).toBe(201);
    expect(replay.text).toBe(first.text);

    const { result: lost, lines } = await errorsOf(() =>
      send({ ENCRYPTION_KEY: newEncryptionKey() }),
    );
    expectError(lost as ApiResponse, 500, "idempotency_unavailable");
    expect(message(lost as ApiResponse)).toBe(
      "The request with this Idempotency-Key was applied, but its stored answer cannot be decrypted: the service lacks the key that encrypted it, which the operator must restore. Retry later with this same key (never a new one: that would apply the write again).",
    );
    expect(lost.text).not.toContain(first.body.data.secretKey);
    expect(lines).toEqual([
      expect.objectContaining({ message: "stored idempotent response unreadable" }),
    ]);

    // Restored: the same answer again.
    expect((await send()).text).toBe(first.text);
  });

  it("says not to retry when the stored answer is damaged", async () => {
    const api = await client();
    const key = newIdempotencyKey();
    const send = () =>
      api.call<Created>("POST", "/api-keys", {
        body: { name: "sealed" },
        headers: { "Idempotency-Key": key },
      });
    expect((await send()).status).toBe(201);
    const otherKey = newIdempotencyKey();
    await api.call("POST", "/api-keys", {
      body: { name: "other" },
      headers: { "Idempotency-Key": otherKey },
    });
    // Another record's sealed answer copied here: it does not authenticate for this key.
    const other = await untilStored(api.orgId, otherKey);
    await untilStored(api.orgId, key);
    await env.DB.prepare(
      "UPDATE idempotency_keys SET response_body = ? WHERE org_id = ? AND key = ?",
    )
      .bind(other.response_body, api.orgId, key)
      .run();
    const { result: res } = await errorsOf(send);
    expectError(res as ApiResponse, 500, "idempotency_unavailable");
    expect(message(res as ApiResponse)).toMatch(
      /stored answer cannot be decrypted: it is damaged\. Do not retry with this key/,
    );
  });
});

describe("creates that cannot encrypt", () => {
  const unconfigured =
    "The service is not configured to store secrets: its encryption key is missing or malformed. Retry later.";

  it("answer 500 internal_error saying the service is not configured, and create nothing", async () => {
    const api = await client();
    const noKey = { ENCRYPTION_KEY: undefined };
    const key = newIdempotencyKey();
    const create = (bindings?: Partial<Cloudflare.Env>) =>
      api.call<Created>("POST", "/webhooks", {
        body: { url: "https://unsealed.example.com/h", events: ["*"] },
        headers: { "Idempotency-Key": key },
        bindings,
      });
    const { result: res, lines } = await errorsOf(() => create(noKey));
    expectError(res as ApiResponse, 500, "internal_error");
    expect(message(res as ApiResponse)).toBe(unconfigured);
    expect(res.text).not.toMatch(/stack|ENCRYPTION_KEY/);
    expect(lines).toEqual([
      expect.objectContaining({
        level: "error",
        message: "not configured: cannot encrypt (see /health)",
        error: expect.objectContaining({ message: "ENCRYPTION_KEY is not set" }),
      }),
    ]);
    expect((await api.get<{ data: unknown[] }>("/webhooks")).body.data).toEqual([]);

    const malformed = await errorsOf(() =>
      api.call("POST", "/api-keys", {
        body: { name: "k" },
        headers: { "Idempotency-Key": newIdempotencyKey() },
        bindings: { ENCRYPTION_KEY: "dG9vIHNob3J0" },
      }),
    );
    expectError(malformed.result, 500, "internal_error");
    expect(message(malformed.result)).toBe(unconfigured);

    // Nothing was claimed: once the key is back, the same Idempotency-Key creates.
    const retried = await create();
    expect(retried.status).toBe(201);
    expect(retried.headers.get("idempotent-replayed")).toBeNull();
  });
});
