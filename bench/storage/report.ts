/**
 * From the measured bytes per row, the purge's rate and the write rate: the
 * write rate at which each database reaches D1's 10 GB, and whether the
 * purge keeps up. Assumptions are named here, once, and printed.
 */
import type { RowSize } from "./measure";

/** D1's largest database, in bytes (10 GB; decimal, the smaller reading). */
export const D1_LIMIT_BYTES = 10e9;
const DAY_S = 86_400;
/** The purge cron's period: a row outlives its retention by up to this much. */
const PURGE_PERIOD_S = 1_800;
/** History: 30 days (src/webhooks/purge.ts WEBHOOK_RETENTION_MS), plus the wait for the purge. */
export const HISTORY_KEPT_S = 30 * DAY_S + PURGE_PERIOD_S;
/** Idempotency records: 24 hours, plus the wait for their purge. */
export const IDEMPOTENCY_KEPT_S = DAY_S + PURGE_PERIOD_S;
/** Outbox rows: the hand-off (seconds), the 10-minute grace, then the wait for the purge. */
export const OUTBOX_KEPT_S = 60 + 600 + PURGE_PERIOD_S;
/** Purge runs a day (every 30 minutes) and the wall time each may spend (WEBHOOK_PURGE_BUDGET_MS). */
export const PURGE_RUNS_PER_DAY = 48;
export const PURGE_BUDGET_S = 40;
/** Share of events that carry `previous` (*.updated, plans_reordered): assumed. */
export const PREVIOUS_SHARE = 0.5;

export type Sizes = {
  planGroup: number;
  plan: number;
  idempotency: number;
  endpoint: number;
  apiKey: number;
  outbox: number;
  event: number;
  delivery: number;
  attempt: number;
};

const mean = (a: number, b: number) => a * (1 - PREVIOUS_SHARE) + b * PREVIOUS_SHARE;

/** The figures the rates use, from the measured rows (events: the mix of with and without `previous`). */
export function sizesOf(rows: RowSize[]): Sizes {
  const of = (table: string) => rows.filter((r) => r.table === table).map((r) => r.bytesPerRow);
  const one = (table: string) => of(table)[0] ?? Number.NaN;
  const mix = (table: string) => {
    const [plain = Number.NaN, withPrevious = Number.NaN] = of(table);
    return mean(plain, withPrevious);
  };
  return {
    planGroup: one("plan_groups"),
    plan: one("plans"),
    idempotency: one("idempotency_keys"),
    endpoint: one("webhook_endpoints"),
    apiKey: one("api_keys"),
    outbox: mix("webhook_events"),
    event: mix("events"),
    delivery: one("deliveries"),
    attempt: one("attempts"),
  };
}

/** Deliveries per event and attempts per delivery. */
export type Scenario = { name: string; deliveries: number; attempts: number };

export const SCENARIOS: Scenario[] = [
  { name: "no endpoint subscribed", deliveries: 0, attempts: 0 },
  { name: "1 endpoint, answered at once", deliveries: 1, attempts: 1 },
  { name: "2 endpoints, 1 retry in 4", deliveries: 2, attempts: 1.25 },
  { name: "16 endpoints (the most), answered at once", deliveries: 16, attempts: 1 },
  { name: "1 endpoint down all day (31 attempts, given up)", deliveries: 1, attempts: 31 },
];

export const rowsPerEvent = (s: Scenario) => 1 + s.deliveries + s.deliveries * s.attempts;
export const historyBytesPerEvent = (sizes: Sizes, s: Scenario) =>
  sizes.event + s.deliveries * sizes.delivery + s.deliveries * s.attempts * sizes.attempt;

/** Events per second, sustained for 30 days, that fill the history database. */
export const historyLimitRate = (sizes: Sizes, s: Scenario) =>
  D1_LIMIT_BYTES / (HISTORY_KEPT_S * historyBytesPerEvent(sizes, s));

/** Rows in a history database of 10 GB: the most one day (or all 30) can leave to purge. */
export const rowsInFullHistory = (sizes: Sizes, s: Scenario) =>
  (D1_LIMIT_BYTES / historyBytesPerEvent(sizes, s)) * rowsPerEvent(s);

/** Purge runs of PURGE_BUDGET_S that delete `rows` at the measured rate. */
export const purgeRunsFor = (rows: number, purgeRowsPerSecond: number) =>
  rows / (purgeRowsPerSecond * PURGE_BUDGET_S);

/**
 * Catalog bytes per write per second at steady state: every write keyed
 * (one Idempotency-Key record) and firing one event (one outbox row).
 */
export const catalogBytesPerWriteRate = (sizes: Sizes) =>
  IDEMPOTENCY_KEPT_S * sizes.idempotency + OUTBOX_KEPT_S * sizes.outbox;

/** Writes per second, sustained for a day, at which the catalog's transient rows alone fill it. */
export const catalogLimitRate = (sizes: Sizes, catalogBytes: number) =>
  (D1_LIMIT_BYTES - catalogBytes) / catalogBytesPerWriteRate(sizes);

/** A catalog of this many organizations, each with 50 plans, 10 groups, 2 endpoints and 5 keys. */
export const catalogBytes = (sizes: Sizes, orgs: number) =>
  orgs * (50 * sizes.plan + 10 * sizes.planGroup + 2 * sizes.endpoint + 5 * sizes.apiKey);
