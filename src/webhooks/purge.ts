import { deleteHandedOn, deleteOldHistory } from "../history/purge";
import type { Stores } from "../history/stores";
import { repeatWithin } from "../lib/time-budget";

/** Events, deliveries and attempts are kept this long, then deleted. */
export const WEBHOOK_RETENTION_MS = 30 * 24 * 60 * 60 * 1000;
/**
 * An outbox row stays this long after its hand-off: the events API reads the
 * outbox and the history at once, and a row leaving the outbox while its
 * copy is being written would otherwise be in neither.
 */
export const OUTBOX_GRACE_MS = 10 * 60 * 1000;
/** Rows per table and statement: short transactions, so live writes wait on them only briefly. */
const WEBHOOK_PURGE_CHUNK = 1000;
/** Wall time one run may spend; the next trigger takes what is left (`complete: false`). */
// 40 s a run, 48 runs a day: a day written at the local write ceiling is
// deleted within the day (docs/webhooks.md, "Storage and purges").
export const WEBHOOK_PURGE_BUDGET_MS = 40_000;

type WebhookPurgeResult = {
  outbox: number;
  events: number;
  deliveries: number;
  attempts: number;
  complete: boolean;
};

/**
 * Deletes the outbox rows handed on (after their grace) from the catalog, and
 * history older than 30 days, chunk after chunk, within the time budget.
 */
export async function purgeWebhookHistory(
  { catalog, history }: Stores,
  now: number,
  { chunk = WEBHOOK_PURGE_CHUNK, budgetMs = WEBHOOK_PURGE_BUDGET_MS, clock = Date.now } = {},
): Promise<WebhookPurgeResult> {
  const cutoff = now - WEBHOOK_RETENTION_MS;
  const purged = { outbox: 0, events: 0, deliveries: 0, attempts: 0 };
  const complete = await repeatWithin(
    async () => {
      const [outbox, deleted] = await Promise.all([
        deleteHandedOn(catalog, { handedBefore: now - OUTBOX_GRACE_MS, cutoff }, chunk),
        deleteOldHistory(history, cutoff, chunk),
      ]);
      purged.outbox += outbox;
      purged.events += deleted.events;
      purged.deliveries += deleted.deliveries;
      purged.attempts += deleted.attempts;
      return Math.max(outbox, deleted.events, deleted.deliveries, deleted.attempts) >= chunk;
    },
    budgetMs,
    clock,
  );
  return { ...purged, complete };
}
