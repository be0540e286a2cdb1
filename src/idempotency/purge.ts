import type { Db } from "../db/database";
import { repeatWithin } from "../lib/time-budget";
import { deleteExpiredChunk, IDEMPOTENCY_TTL_MS } from "./records";

/** Rows per statement: one short transaction each, so live writes queue behind it only briefly. */
const PURGE_CHUNK = 1000;
/**
 * Wall time one run may spend deleting: far below a cron invocation's limit,
 * and enough for hundreds of thousands of rows. A run that spends it leaves
 * the rest to the next trigger and says so (`complete: false`).
 */
const PURGE_BUDGET_MS = 30_000;

type PurgeResult = { purged: number; complete: boolean };

/**
 * Deletes Idempotency-Key records older than 24 hours, chunk after chunk,
 * until none is left or the time budget is spent.
 */
export async function purgeExpiredIdempotencyKeys(
  db: Db,
  now: number,
  { chunk = PURGE_CHUNK, budgetMs = PURGE_BUDGET_MS, clock = Date.now } = {},
): Promise<PurgeResult> {
  const cutoff = now - IDEMPOTENCY_TTL_MS;
  let purged = 0;
  const complete = await repeatWithin(
    async () => {
      const deleted = await deleteExpiredChunk(db, cutoff, chunk);
      purged += deleted;
      return deleted >= chunk;
    },
    budgetMs,
    clock,
  );
  return { purged, complete };
}
