import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { claims, type Fault, faultyD1, firstOnly } from "../helpers/faulty-d1";
import { createKey, uniqueOrg } from "../helpers/keys";

/**
 * `@commet/node` 9.x (API 2026-07-31) is not on npm; this sends exactly what
 * its HTTP client does (packages/node/src/utils/http.ts of commet-labs/commet):
 * `x-api-key`, `commet-version`, `Content-Type: application/json` on every
 * request (GET and DELETE too, with no body), an `Idempotency-Key` generated
 * once per POST/PUT/PATCH and reused by its retries of a 5xx, query values
 * with `String(value)`, and `{}` as the body of `webhooks.test`.
 */
function sdk9(apiKey: string, db: (attempt: number) => D1Database = () => env.DB) {
  let attempt = 0;
  return async <T>(method: string, endpoint: string, data?: unknown, params?: object) => {
    const url = new URL(`/api/v1${endpoint}`, "http://api.test");
    for (const [k, v] of Object.entries(params ?? {})) url.searchParams.append(k, String(v));
    const headers: Record<string, string> = {
      "x-api-key": apiKey,
      "commet-version": "2026-07-31",
      "Content-Type": "application/json",
      "User-Agent": "commet-node/9.2.0",
    };
    if (["POST", "PUT", "PATCH"].includes(method)) {
      headers["Idempotency-Key"] = `commet-node-retry-${crypto.randomUUID()}`;
    }
    // Its retry policy: 408, 429 and 5xx again with the same key (waits elided).
    for (let retry = 0; ; retry++) {
      const ctx = createExecutionContext();
      const res = await worker.fetch(
        new Request(url, { method, headers, body: data ? JSON.stringify(data) : undefined }),
        { ...env, DB: db(attempt++) },
        ctx,
      );
      await waitOnExecutionContext(ctx);
      const body = (await res.json()) as T & { error?: { code: string } };
      if (res.ok || retry >= 3 || ![408, 429, 500, 502, 503, 504].includes(res.status)) {
        return { status: res.status, body, headers: res.headers };
      }
    }
  };
}

type Obj = { id: string; object: string };

describe("@commet/node 9.x on the wire", () => {
  it("every plan and group flow answers in the 2026-07-31 shapes its types expect", async () => {
    const { key } = await createKey(uniqueOrg(), "test", { tier: "unlimited" });
    const send = sdk9(key);
    const group = await send<Obj>("POST", "/plan-groups", { name: "G" });
    expect(group.status).toBe(201);
    expect(group.body).toMatchObject({ object: "plan_group", name: "G" });
    const plan = await send<Obj>("POST", "/plans", {
      name: "P",
      code: "p",
      planGroupId: group.body.id,
    });
    expect(plan.body).toMatchObject({ object: "plan", planGroupId: group.body.id, features: [] });
    const list = await send<{ object: string; data: Obj[] }>("GET", "/plans", undefined, {
      includePrivate: true,
    });
    expect(list.body).toMatchObject({ object: "list", hasMore: false });
    expect((await send("GET", `/plan-groups/${group.body.id}`)).body).toMatchObject({
      plans: [{ id: plan.body.id, sortOrder: 0 }],
    });
    expect((await send("PATCH", `/plans/${plan.body.id}`, { name: "Q" })).body).toMatchObject({
      name: "Q",
    });
    expect(
      (await send("PATCH", `/plan-groups/${group.body.id}`, { name: "H" })).body,
    ).toMatchObject({
      name: "H",
    });
    expect(
      (await send("DELETE", `/plan-groups/${group.body.id}/plans/${plan.body.id}`)).body,
    ).toMatchObject({ object: "plan_group_membership", removed: true });
    expect((await send("DELETE", `/plans/${plan.body.id}`)).body).toEqual({
      id: plan.body.id,
      deleted: true,
      object: "plan",
      livemode: false,
    });
    const created = await send<{ apiKey: string; id: string }>("POST", "/api-keys", {
      name: "rotated",
    });
    expect(created.body.apiKey).toMatch(/^ck_test_/);
    expect((await send("DELETE", `/api-keys/${created.body.id}`)).status).toBe(200);
  });

  it("its own retry after a 5xx whose write committed gets the created object, once", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const orgId = uniqueOrg();
    const { key } = await createKey(orgId, "test", { tier: "unlimited" });
    const lost = firstOnly(1, claims);
    const decide = (sql: string[]): Fault => (lost(sql) ? "commit-then-fail" : "ok");
    const send = sdk9(key, () => faultyD1(decide));
    const res = await send<Obj>("POST", "/plans", { name: "Once", code: "once" });
    expect(res.status).toBe(201);
    expect(res.headers.get("idempotent-replayed")).toBe("true");
    expect(res.body).toMatchObject({ object: "plan", code: "once" });
    const count = await env.DB.prepare("SELECT count(*) AS n FROM plans WHERE org_id = ?")
      .bind(orgId)
      .first<{ n: number }>();
    expect(count?.n).toBe(1);
    log.mockRestore();
  });
});
