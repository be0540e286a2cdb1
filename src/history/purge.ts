import { sql } from "drizzle-orm";
import type { Db } from "../db/database";
import { attempts, deliveries, events } from "../db/history-schema";
import { webhookEvents as outbox } from "../db/schema";
import { change, defineWrite, param } from "../db/statements";

const olderThan = (table: typeof events | typeof deliveries | typeof attempts) =>
  change((b) =>
    b
      .delete(table)
      .where(
        sql`rowid IN (SELECT rowid FROM ${table} WHERE ${table.createdAt} < ${param("cutoff")} LIMIT ${param("chunk")})`,
      ),
  );

const historyBatch = defineWrite({
  attempts: olderThan(attempts),
  deliveries: olderThan(deliveries),
  events: olderThan(events),
});

/** Deletes up to `chunk` rows of each history table created before `cutoff`. */
export async function deleteOldHistory(history: Db, cutoff: number, chunk: number) {
  return history.write(historyBatch, { cutoff, chunk });
}

/**
 * Outbox rows handed on before `handedBefore` (their copy is in the
 * history), and any older than `cutoff` (never handed on within the
 * retention: nothing would list or deliver them any more). `created_at` comes
 * first so the search stays on its index: a row handed on before a time was
 * created before it.
 */
const outboxBatch = defineWrite({
  outbox: change((b) =>
    b
      .delete(outbox)
      .where(
        sql`rowid IN (SELECT rowid FROM ${outbox} WHERE ${outbox.createdAt} < ${param("handedBefore")} AND (${outbox.dispatchedAt} < ${param("handedBefore")} OR ${outbox.createdAt} < ${param("cutoff")}) LIMIT ${param("chunk")})`,
      ),
  ),
});

export async function deleteHandedOn(
  catalog: Db,
  cut: { handedBefore: number; cutoff: number },
  chunk: number,
) {
  const { outbox: deleted } = await catalog.write(outboxBatch, { ...cut, chunk });
  return deleted;
}
