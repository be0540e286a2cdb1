import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, type MockInstance, vi } from "vitest";
import worker from "../../src/index";
import { call } from "../helpers/http";
import { createKey, uniqueOrg } from "../helpers/keys";

type Line = Record<string, unknown>;

let log: MockInstance<typeof console.log>;
let error: MockInstance<typeof console.error>;

beforeEach(() => {
  // Capturing console output is not a mock of storage: the worker still runs for real.
  log = vi.spyOn(console, "log").mockImplementation(() => {});
  error = vi.spyOn(console, "error").mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

const lines = (spy: MockInstance<(...args: unknown[]) => void>) =>
  spy.mock.calls.map((args) => JSON.parse(String(args[0])) as Line);
const requestLines = () => lines(log).filter((l) => l.message === "request");

describe("one structured log line per request", () => {
  it("is silenced by REQUEST_LOGS=off (the benchmark's setting)", async () => {
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request("http://api.test/health"),
      { ...env, REQUEST_LOGS: "off" },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(200);
    expect(requestLines()).toHaveLength(0);
    await call("GET", "/health");
    expect(requestLines()).toHaveLength(1);
  });

  it("names the request, route pattern, outcome and caller, and nothing secret", async () => {
    const orgId = uniqueOrg();
    const { key, record } = await createKey(orgId, "live", { tier: "unlimited" });
    const secretName = "body-secret-name";
    const created = await call<{ data: { id: string } }>("POST", "/api/v1/plan-groups", {
      headers: { "x-api-key": key, "x-request-id": "trace-123", "Commet-Version": "2026-07-11" },
      body: { name: secretName },
    });
    const got = await call("GET", `/api/v1/plan-groups/${created.body.data.id}?limit=5`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect(got.status).toBe(200);
    const [post, get] = requestLines();
    expect(requestLines()).toHaveLength(2);
    expect(post).toEqual({
      level: "info",
      message: "request",
      requestId: "trace-123",
      method: "POST",
      route: "/api/v1/plan-groups",
      status: 201,
      durationMs: expect.any(Number),
      keyId: record.id,
      orgId,
      livemode: true,
    });
    expect(get).toMatchObject({
      route: "/api/v1/plan-groups/:id",
      status: 200,
      requestId: got.headers.get("x-request-id"),
    });
    const everything = JSON.stringify(log.mock.calls);
    expect(everything).not.toContain(key);
    expect(everything).not.toContain(secretName);
    expect(everything).not.toContain("limit=5");
    expect(error).not.toHaveBeenCalled();
  });

  it("logs unauthenticated requests with the route but no caller", async () => {
    const res = await call("GET", "/api/v1/plans/plan_x", {
      headers: { "x-api-key": "ck_test_not-a-real-key" },
    });
    expect(res.status).toBe(401);
    expect(requestLines()).toEqual([
      expect.objectContaining({
        route: "/api/v1/plans/:id",
        status: 401,
        keyId: null,
        orgId: null,
        livemode: null,
      }),
    ]);
    expect(JSON.stringify(log.mock.calls)).not.toContain("ck_test_not-a-real-key");
  });

  it("logs a null route when nothing matched, and health by its pattern", async () => {
    const { key } = await createKey(uniqueOrg(), "test");
    await call("GET", "/api/v1/nowhere", { headers: { "x-api-key": key } });
    await call("DELETE", "/api/v1/plans", { headers: { "x-api-key": key } });
    await call("GET", "/health");
    expect(requestLines().map((l) => [l.route, l.status])).toEqual([
      [null, 404],
      [null, 405],
      ["/health", 200],
    ]);
  });

  it("adds one error line with the stack for an unexpected failure, and tells the client only the id", async () => {
    const { key } = await createKey(uniqueOrg(), "test");
    // A worker whose D1 binding is missing: the request fails the way a storage outage would.
    const broken = { ...env, DB: undefined } as unknown as typeof env;
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request("http://api.test/api/v1/plan-groups", {
        headers: { "x-api-key": key, "x-request-id": "boom-1" },
      }),
      broken,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(500);
    const body = await res.text();
    expect(body).not.toMatch(/TypeError|withSession|at /);
    expect(requestLines()).toEqual([expect.objectContaining({ requestId: "boom-1", status: 500 })]);
    // Besides the lastUsedAt note, which fails after the response for the same reason.
    const errors = lines(error).filter((l) => l.message !== "lastUsedAt not written");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({
      level: "error",
      requestId: "boom-1",
      error: { name: "TypeError" },
    });
    const stack = (errors[0]?.error as { stack?: string } | undefined)?.stack;
    expect(stack).toContain("at ");
  });
});
