import { createScheduledController, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { IDEMPOTENCY_TTL_MS } from "../../src/idempotency/records";
import worker from "../../src/index";
import { client, expectError } from "../helpers/http";
import { keyed, newIdempotencyKey, storedKey } from "../helpers/idempotency";
import { uniqueOrg } from "../helpers/keys";

const HOUR = 60 * 60 * 1000;

/** A finished record as the middleware leaves it, `age` ms old. */
async function seedRecord(orgId: string, key: string, age: number) {
  await env.DB.prepare(
    `INSERT INTO idempotency_keys (org_id, mode, key, method, path, body_hash, status_code, response_body, created_at)
     VALUES (?, 'test', ?, 'POST', '/api/v1/plan-groups', 'other-body', 201, '{"success":true}', ?)`,
  )
    .bind(orgId, key, Date.now() - age)
    .run();
}

async function seedMany(orgId: string, count: number, age: number) {
  await env.DB.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
     INSERT INTO idempotency_keys (org_id, mode, key, method, path, body_hash, status_code, response_body, created_at)
     SELECT ?, 'test', 'bulk-' || i, 'POST', '/api/v1/plan-groups', 'h', 201, '{}', ? FROM n`,
  )
    .bind(count, orgId, Date.now() - age)
    .run();
}

async function countKeys(orgId: string): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM idempotency_keys WHERE org_id = ?")
    .bind(orgId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

async function runCron() {
  const controller = createScheduledController({ cron: "2,32 * * * *", scheduledTime: Date.now() });
  // The handler awaits its own work, so no execution context is needed.
  await worker.scheduled(controller, env);
}

describe("Idempotency-Key expiry", () => {
  it("treats a record older than 24 hours as absent, even before the purge", async () => {
    const c = await client();
    const key = newIdempotencyKey();
    await seedRecord(c.orgId, key, IDEMPOTENCY_TTL_MS + HOUR);
    const res = await keyed(c, "POST", "/plan-groups", key, { name: "Fresh" });
    expect(res.status).toBe(201);
    expect(res.headers.get("idempotent-replayed")).toBeNull();
    const stored = await storedKey(c.orgId, key);
    expect(stored?.created_at).toBeGreaterThan(Date.now() - HOUR);
  });

  it("still holds a key used 23 hours ago", async () => {
    const c = await client();
    const key = newIdempotencyKey();
    await seedRecord(c.orgId, key, IDEMPOTENCY_TTL_MS - HOUR);
    const res = await keyed(c, "POST", "/plan-groups", key, { name: "Fresh" });
    expectError(res, 409, "idempotency_key_mismatch");
  });

  it("purges expired records in chunks from the scheduled handler and keeps fresh ones", async () => {
    const org = uniqueOrg();
    await seedMany(org, 1234, IDEMPOTENCY_TTL_MS + HOUR);
    await seedRecord(org, "recent", HOUR);
    expect(await countKeys(org)).toBe(1235);
    await runCron();
    expect(await countKeys(org)).toBe(1);
    expect(await storedKey(org, "recent")).not.toBeNull();
  });
});
