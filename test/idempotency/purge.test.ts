import { createScheduledController, env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Db } from "../../src/db/database";
import { purgeExpiredIdempotencyKeys } from "../../src/idempotency/purge";
import { IDEMPOTENCY_TTL_MS } from "../../src/idempotency/records";
import worker from "../../src/index";
import { uniqueOrg } from "../helpers/keys";

const HOUR = 60 * 60 * 1000;

/** `count` finished records of `orgId`, all `age` ms old. Only `created_at` matters to the purge. */
async function seed(orgId: string, count: number, age: number) {
  await env.DB.prepare(
    `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
     INSERT INTO idempotency_keys (org_id, mode, key, method, path, body_hash, status_code, response_body, created_at)
     SELECT ?, 'test', 'k-' || i, 'POST', '/api/v1/plan-groups', 'h', 201, '{}', ? FROM n`,
  )
    .bind(count, orgId, Date.now() - age)
    .run();
}

async function countOf(orgId: string): Promise<number> {
  const row = await env.DB.prepare("SELECT count(*) AS n FROM idempotency_keys WHERE org_id = ?")
    .bind(orgId)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

afterEach(() => vi.restoreAllMocks());

describe("idempotency purge", () => {
  it("deletes tens of thousands of expired records in one cron run and keeps fresh ones", async () => {
    const [old, fresh] = [uniqueOrg(), uniqueOrg()];
    await seed(old, 35_000, IDEMPOTENCY_TTL_MS + HOUR);
    await seed(fresh, 50, IDEMPOTENCY_TTL_MS - HOUR);
    const logs = vi.spyOn(console, "log").mockImplementation(() => {});
    const controller = createScheduledController({
      cron: "2,32 * * * *",
      scheduledTime: Date.now(),
    });
    await worker.scheduled(controller, env);
    expect(await countOf(old)).toBe(0);
    expect(await countOf(fresh)).toBe(50);
    const line = logs.mock.calls
      .map((call) => JSON.parse(String(call[0])))
      .find((l) => l.job === "idempotencyPurge");
    expect(line).toMatchObject({ level: "info", job: "idempotencyPurge", complete: true });
    expect(line.purged).toBeGreaterThanOrEqual(35_000);
  });

  it("stops when its time budget is spent and says so; the next run finishes", async () => {
    const org = uniqueOrg();
    await seed(org, 1000, IDEMPOTENCY_TTL_MS + HOUR);
    const db = new Db(env.DB);
    // A clock that reads past the budget after the second chunk: no real waiting.
    const readings = [0, 1, 100];
    const clock = () => readings.shift() ?? 100;
    const first = await purgeExpiredIdempotencyKeys(db, Date.now(), {
      chunk: 100,
      budgetMs: 50,
      clock,
    });
    expect(first).toEqual({ purged: 200, complete: false });
    expect(await countOf(org)).toBeGreaterThanOrEqual(800);
    const second = await purgeExpiredIdempotencyKeys(db, Date.now(), { chunk: 100 });
    expect(second.complete).toBe(true);
    expect(await countOf(org)).toBe(0);
  });
});
