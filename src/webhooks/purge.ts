import type { Db } from "../db/database";
import { repeatWithin } from "../lib/time-budget";
import { deleteOldChunk } from "./delivery-queries";

/** Events, deliveries and attempts are kept this long, then deleted. */
export const WEBHOOK_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;
/** Rows per table and statement: short transactions, so live writes wait on them only briefly. */
export const WEBHOOK_PURGE_CHUNK = 1000;
/** Wall time one run may spend; the next trigger takes what is left (`complete: false`). */
export const WEBHOOK_PURGE_BUDGET_MS = 20_000;

export type WebhookPurgeResult = {
  events: number;
  deliveries: number;
  attempts: number;
  complete: boolean;
};

/** Deletes webhook history older than 30 days, chunk after chunk, within the time budget. */
export async function purgeWebhookHistory(
  db: Db,
  now: number,
  { chunk = WEBHOOK_PURGE_CHUNK, budgetMs = WEBHOOK_PURGE_BUDGET_MS, clock = Date.now } = {},
): Promise<WebhookPurgeResult> {
  const cutoff = now - WEBHOOK_RETENTION_MS;
  const purged = { events: 0, deliveries: 0, attempts: 0 };
  const complete = await repeatWithin(
    async () => {
      const deleted = await deleteOldChunk(db, cutoff, chunk);
      purged.events += deleted.events;
      purged.deliveries += deleted.deliveries;
      purged.attempts += deleted.attempts;
      return Math.max(deleted.events, deleted.deliveries, deleted.attempts) >= chunk;
    },
    budgetMs,
    clock,
  );
  return { ...purged, complete };
}
