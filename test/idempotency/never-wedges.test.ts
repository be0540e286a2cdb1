import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it, vi } from "vitest";
import { IDEMPOTENCY_TTL_MS, IN_FLIGHT_MS } from "../../src/idempotency/records";
import worker from "../../src/index";
import {
  claims,
  type Fault,
  faultyD1,
  firstOnly,
  marksFinished,
  readsKeyRecord,
  storesResponse,
} from "../helpers/faulty-d1";
import { type ApiResponse, type Body, type Client, client } from "../helpers/http";
import { countRows, newIdempotencyKey, storedKey } from "../helpers/idempotency";

/** A keyed request through the worker, with D1 failing where `decide` says. */
async function send(
  api: Client,
  key: string,
  decide: (sql: string[]) => Fault | Promise<Fault>,
  request = { method: "POST", path: "/plan-groups", body: { name: "Once" } as unknown },
): Promise<ApiResponse> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request(`http://api.test/api/v1${request.path}`, {
      method: request.method,
      headers: {
        "x-api-key": api.key,
        "content-type": "application/json",
        "Idempotency-Key": key,
        "Commet-Version": "2026-07-31",
      },
      body: JSON.stringify(request.body),
    }),
    { ...env, DB: faultyD1(decide) },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: JSON.parse(text) as Body, text };
}

const healthy = () => "ok" as const;

/** Quiet the error lines the faults make the worker log, and count them. */
function quietLog() {
  return vi.spyOn(console, "error").mockImplementation(() => {});
}

describe("an Idempotency-Key never wedges", () => {
  it("its record expires between the claim and the read: a 409 once, then the request runs afresh", async () => {
    const api = await client(undefined, "test", "2026-07-31");
    const key = newIdempotencyKey();
    expect((await send(api, key, healthy)).status).toBe(201);
    // The retry's batch still sees the record live; by its read, it has expired.
    const ageOnce = firstOnly(1, readsKeyRecord);
    const racing = await send(api, key, async (sql): Promise<Fault> => {
      if (ageOnce(sql)) {
        await env.DB.prepare(
          "UPDATE idempotency_keys SET created_at = created_at - ? WHERE org_id = ?",
        )
          .bind(IDEMPOTENCY_TTL_MS + 1000, api.orgId)
          .run();
      }
      return "ok";
    });
    expect(racing.status).toBe(409);
    expect(racing.body.error?.code).toBe("idempotency_in_progress");
    // Nothing was recorded for it: the next retry runs the request afresh.
    const retry = await send(api, key, healthy);
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBeNull();
    expect(await countRows("plan_groups", api.orgId)).toBe(2);
  });

  it("D1 commits but the worker hears an error: the retry gets the created group, once", async () => {
    const log = quietLog();
    const api = await client(undefined, "test", "2026-07-31");
    const key = newIdempotencyKey();
    const lost = firstOnly(1, claims);
    const first = await send(api, key, (sql) => (lost(sql) ? "commit-then-fail" : "ok"));
    expect(first.status).toBe(500);
    // On its way out the first attempt marked its claim finished: the SDK's
    // retry one second later is answered at once, not with a 409.
    expect(await storedKey(api.orgId, key)).toMatchObject({ status_code: null });
    const retry = await send(api, key, healthy);
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.headers.get("commet-version")).toBe("2026-07-31");
    expect(retry.body).toMatchObject({ object: "plan_group", name: "Once" });
    expect(await countRows("plan_groups", api.orgId)).toBe(1);
    // The rebuilt answer is stored: later retries get exactly the same bytes.
    const again = await send(api, key, healthy);
    expect(again.text).toBe(retry.text);
    expect(await countRows("plan_groups", api.orgId)).toBe(1);
    log.mockRestore();
  });

  it("the answer cannot be stored: the retry gets a rebuilt answer at once, applied once", async () => {
    const log = quietLog();
    const api = await client(undefined, "test", "2026-07-31");
    const created = (await api.post<{ id: string }>("/plans", { name: "P", code: "p" })).body;
    const key = newIdempotencyKey();
    const request = { method: "PATCH", path: `/plans/${created.id}`, body: { name: "Renamed" } };
    const first = await send(api, key, (sql) => (storesResponse(sql) ? "fail" : "ok"), request);
    expect(first.status).toBe(200);
    const retry = await send(api, key, healthy, request);
    expect(retry.status).toBe(200);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(JSON.parse(retry.text)).toEqual(JSON.parse(first.text));
    expect(await countRows("plans", api.orgId)).toBe(1);
    log.mockRestore();
  });

  it("a claim left without an answer is answered once its attempt can no longer be running", async () => {
    const log = quietLog();
    const api = await client(undefined, "test", "2026-07-31");
    const key = newIdempotencyKey();
    // The worker died after the commit: neither the answer nor "finished" was written.
    const dies = (sql: string[]) => (storesResponse(sql) || marksFinished(sql) ? "fail" : "ok");
    const first = await send(api, key, dies);
    expect(first.status).toBe(201);
    const early = await send(api, key, healthy);
    expect(early.status).toBe(409);
    expect(early.body.error?.code).toBe("idempotency_in_progress");
    expect(early.headers.get("retry-after")).toBe("1");
    // Later than any first attempt can take: the claim proves the write, so rebuild it.
    await env.DB.prepare(
      "UPDATE idempotency_keys SET created_at = created_at - ? WHERE org_id = ? AND key = ?",
    )
      .bind(IN_FLIGHT_MS + 1, api.orgId, key)
      .run();
    const late = await send(api, key, healthy);
    expect(late.status).toBe(201);
    expect(late.headers.get("idempotent-replayed")).toBe("true");
    expect((late.body as { id?: string }).id).toBe((first.body as { id?: string }).id);
    expect(await countRows("plan_groups", api.orgId)).toBe(1);
    log.mockRestore();
  });

  it("a write that never committed frees nothing and claims nothing: the retry runs it", async () => {
    const log = quietLog();
    const api = await client(undefined, "test", "2026-07-31");
    const key = newIdempotencyKey();
    const once = firstOnly(1, claims);
    const first = await send(api, key, (sql) => (once(sql) ? "fail" : "ok"));
    expect(first.status).toBe(500);
    expect(await storedKey(api.orgId, key)).toBeNull();
    const retry = await send(api, key, healthy);
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBeNull();
    expect(await countRows("plan_groups", api.orgId)).toBe(1);
    log.mockRestore();
  });

  it("when the record cannot be read, a 500 idempotency_unavailable says to retry with the key", async () => {
    const log = quietLog();
    const api = await client(undefined, "test", "2026-07-31");
    const key = newIdempotencyKey();
    expect((await send(api, key, healthy)).status).toBe(201);
    const retry = await send(api, key, (sql) => (readsKeyRecord(sql) ? "fail" : "ok"));
    expect(retry.status).toBe(500);
    expect(retry.body.error).toMatchObject({
      code: "idempotency_unavailable",
      type: "internal_error",
    });
    expect(retry.body.error?.message).toMatch(/retry with the same key/i);
    expect(await countRows("plan_groups", api.orgId)).toBe(1);
    log.mockRestore();
  });

  it("a rebuilt answer reflects what was committed, and says when that is gone", async () => {
    const log = quietLog();
    const api = await client(undefined, "test", "2026-07-31");
    const key = newIdempotencyKey();
    const lost = firstOnly(1, claims);
    const first = await send(api, key, (sql) => (lost(sql) ? "commit-then-fail" : "ok"));
    expect(first.status).toBe(500);
    const [group] = (await api.get<{ data: { id: string }[] }>("/plan-groups")).body.data;
    await api.del(`/plan-groups/${group?.id}`);
    const retry = await send(api, key, healthy);
    expect(retry.status).toBe(500);
    expect(retry.body.error?.code).toBe("idempotency_unavailable");
    expect(retry.body.error?.message).toMatch(/was applied.*Do not retry/);
    log.mockRestore();
  });
});
