import { applyD1Migrations, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { bytesPerRow, fillHistory } from "../../bench/storage/measure";
import {
  HISTORY_KEPT_S,
  OUTBOX_KEPT_S,
  PURGE_BUDGET_S,
  PURGE_RUNS_PER_DAY,
} from "../../bench/storage/report";
import { MIN_ROWS, RUN_START, SAMPLES } from "../../bench/storage/rows";
import { Db } from "../../src/db/database";
import { SCHEDULE } from "../../src/scheduled";
import {
  OUTBOX_GRACE_MS,
  purgeWebhookHistory,
  WEBHOOK_PURGE_BUDGET_MS,
  WEBHOOK_RETENTION_MS,
} from "../../src/webhooks/purge";

/**
 * docs/webhooks.md ("Storage and purges") states what a typical row costs,
 * measured by `npm run storage:measure`. These bounds sit about a quarter
 * above those numbers: a new index, a wider column or a bigger snapshot
 * trips them, and the doc's tables must be measured again. Upper bounds
 * only: pages freed earlier are reused before a database grows, which can
 * make a growth look smaller, never larger.
 */
const BOUNDS: Record<string, number[]> = {
  plan_groups: [350],
  plans: [670],
  idempotency_keys: [1160],
  webhook_endpoints: [625],
  api_keys: [525],
  service_state: [170],
  webhook_events: [1035, 1900],
  events: [1360, 2050],
  deliveries: [580],
  attempts: [645],
};

// Scratch databases (vitest.config.ts), fresh in this file's own runtime; each
// table's rows go in one batch, so nothing else writes between its two probes.
const databases = { catalog: env.DB_FRESH, history: env.HISTORY_FRESH };

describe("bytes per row", () => {
  it("stay within the bounds the storage doc was written for, for every table of both databases", async () => {
    await applyD1Migrations(env.DB_FRESH, env.TEST_MIGRATIONS);
    await applyD1Migrations(env.HISTORY_FRESH, env.TEST_HISTORY_MIGRATIONS);
    const seen: Record<string, number> = {};
    for (const sample of SAMPLES) {
      const size = await bytesPerRow(databases[sample.database], sample, MIN_ROWS);
      const variant = seen[sample.table] ?? 0;
      seen[sample.table] = variant + 1;
      const bound = BOUNDS[sample.table]?.[variant];
      expect(bound, `a bound for ${sample.table}: ${sample.label}`).toBeDefined();
      expect(size.bytesPerRow, `${sample.table}: ${sample.label}`).toBeLessThanOrEqual(bound ?? 0);
    }
    expect(Object.keys(seen).sort()).toEqual(Object.keys(BOUNDS).sort());
  });
});

describe("the purge's arithmetic", () => {
  it("deletes chunk × steps rows per table in a run its budget cuts short, and the rest in the next", async () => {
    await applyD1Migrations(env.DB_FRESH, env.TEST_MIGRATIONS);
    await applyD1Migrations(env.HISTORY_FRESH, env.TEST_HISTORY_MIGRATIONS);
    const stores = { catalog: new Db(env.DB_FRESH), history: new Db(env.HISTORY_FRESH) };
    // History from long before any other row of these databases: only it is old enough to go.
    const createdAt = RUN_START - 40 * 86_400_000;
    const now = createdAt + WEBHOOK_RETENTION_MS + 1000;
    // Whatever an interrupted earlier run left.
    await purgeWebhookHistory(stores, now);

    const chunk = 4;
    const steps = 3;
    const shape = { events: (steps + 1) * chunk, deliveriesPerEvent: 1 };
    await fillHistory(env.HISTORY_FRESH, shape, { start: createdAt });
    // A clock that reaches the budget after `steps` chunks.
    let tick = 0;
    const cut = await purgeWebhookHistory(stores, now, {
      chunk,
      budgetMs: steps,
      clock: () => tick++,
    });
    const perTable = steps * chunk;
    expect(cut).toEqual({
      outbox: 0,
      events: perTable,
      deliveries: perTable,
      attempts: perTable,
      complete: false,
    });
    const rest = await purgeWebhookHistory(stores, now, { chunk });
    expect(rest).toEqual({
      outbox: 0,
      events: chunk,
      deliveries: chunk,
      attempts: chunk,
      complete: true,
    });
  });

  it("uses the retention, grace, budget and schedule the service has", () => {
    expect(HISTORY_KEPT_S * 1000).toBe(WEBHOOK_RETENTION_MS + 30 * 60_000);
    expect(OUTBOX_KEPT_S * 1000).toBe(60_000 + OUTBOX_GRACE_MS + 30 * 60_000);
    expect(PURGE_BUDGET_S * 1000).toBe(WEBHOOK_PURGE_BUDGET_MS);
    // "2,32 * * * *": two runs an hour.
    const cron = Object.entries(SCHEDULE).find(([, jobs]) => "webhookPurge" in jobs)?.[0];
    expect(cron).toBe("2,32 * * * *");
    expect(PURGE_RUNS_PER_DAY).toBe(2 * 24);
  });
});
