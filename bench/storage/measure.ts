/**
 * What `npm run storage:measure` and test/history/storage.test.ts run inside
 * workerd, on a D1 database of their own: the bytes a typical row costs
 * (from D1's `meta.size_after`), history written the way the delivery
 * pipeline writes it, and history written in bulk for the purge to delete.
 */
import { claimAttempt, recordAttempt } from "../../src/history/deliveries";
import { handOff } from "../../src/history/hand-off";
import type { Stores } from "../../src/history/stores";
import { newId } from "../../src/lib/ids";
import {
  attemptRow,
  deliveryRow,
  eventRow,
  historyEventRow,
  MIN_ROWS,
  type Owner,
  owner,
  type Row,
  type Sample,
} from "./rows";

const insertSql = (table: string, row: Row) => {
  const columns = Object.keys(row);
  return `INSERT INTO ${table} (${columns.join(", ")}) VALUES (${columns.map(() => "?").join(", ")})`;
};

const bound = (db: D1Database, table: string, rows: Row[]) => {
  const first = rows[0];
  if (!first) return [];
  const statement = db.prepare(insertSql(table, first));
  return rows.map((row) => statement.bind(...Object.values(row)));
};

const sizeAfter = (result: D1Result | undefined) => {
  const size = (result?.meta as { size_after?: number } | undefined)?.size_after;
  if (typeof size !== "number") throw new Error("D1 reported no size_after");
  return size;
};

export type RowSize = {
  database: Sample["database"];
  table: string;
  label: string;
  rows: number;
  grewBy: number;
  bytesPerRow: number;
};

/**
 * Inserts `rows` rows of the sample in one batch (one transaction, so nothing
 * else writes in between) and divides the database's growth by their number:
 * the table's own pages and every index's. The growth is whole pages (4 KiB),
 * so a few thousand rows make it exact to a few bytes. Pages freed earlier
 * are reused before the file grows: measure on a database that never deleted.
 */
export async function bytesPerRow(db: D1Database, sample: Sample, rows: number): Promise<RowSize> {
  if (rows < MIN_ROWS) throw new Error(`measure at least ${MIN_ROWS} rows per table`);
  const probe = db.prepare("SELECT 1");
  const inserts = bound(
    db,
    sample.table,
    Array.from({ length: rows }, (_, i) => sample.row(i)),
  );
  const results = await db.batch([probe, ...inserts, probe]);
  const grewBy = sizeAfter(results.at(-1)) - sizeAfter(results[0]);
  const { database, table, label } = sample;
  return { database, table, label, rows, grewBy, bytesPerRow: grewBy / rows };
}

/** How a run writes history: per event, this many deliveries, each with one attempt. */
export type HistoryShape = { events: number; deliveriesPerEvent: number };

/** Event `i` of a run happens at `start + i * SPACING_MS`, so IDs and times grow together as they do live. */
const SPACING_MS = 50;

/** The endpoints of event `i`'s deliveries: its owner's first, new ones after. */
const endpointsOf = (who: Owner, count: number, time: number) =>
  Array.from({ length: count }, (_, d) => (d === 0 ? who.endpointId : newId("whep", time)));

/**
 * Writes events `from` to `from + events - 1` into the history as the queue
 * consumer does for an event's first attempts (src/webhooks/deliver.ts): the
 * hand-off (the event's copy and its deliveries, one batch), then per
 * delivery the claim and the recorded attempt (one batch each),
 * `concurrency` events at a time. Returns the rows written.
 */
export async function writeHistory(
  stores: Stores,
  shape: HistoryShape,
  { start, concurrency, from = 0 }: { start: number; concurrency: number; from?: number },
): Promise<number> {
  let next = from;
  const end = from + shape.events;
  const one = async (i: number) => {
    const time = start + i * SPACING_MS;
    const who = owner(i);
    const row = eventRow(i, i % 2 === 0, time, who);
    const event = {
      id: row.id,
      orgId: who.orgId,
      mode: who.mode as "live" | "test",
      type: String(row.type),
      data: row.data as string | null,
      previous: row.previous as string | null,
      requestId: row.request_id as string | null,
      idempotencyKey: row.idempotency_key as string | null,
      createdAt: time,
    };
    const tenant = { orgId: event.orgId, mode: event.mode };
    const planned = endpointsOf(who, shape.deliveriesPerEvent, time).map((endpointId) => ({
      id: newId("whdl", time),
      endpointId,
    }));
    const deliveries = await handOff(stores.history, event, planned, time);
    for (const delivery of deliveries) {
      const claim = await claimAttempt(stores.history, tenant, {
        deliveryId: delivery.id,
        endpointId: delivery.endpointId,
        attemptsSeen: 0,
        leaseUntil: time + 60_000,
      });
      if (claim !== "claimed") throw new Error(`attempt not claimed: ${claim}`);
      const attempt = attemptRow(i, time, who);
      await recordAttempt(
        stores.history,
        tenant,
        {
          id: String(attempt.id),
          deliveryId: delivery.id,
          endpointId: delivery.endpointId,
          eventId: event.id,
          attempt: 1,
          statusCode: 200,
          durationMs: 143,
          error: null,
          responseExcerpt: attempt.response_excerpt as string,
          createdAt: time + 180,
        },
        { status: "succeeded", completedAt: time + 180 },
      );
    }
  };
  const worker = async () => {
    while (next < end) await one(next++);
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return shape.events * (1 + 2 * shape.deliveriesPerEvent);
}

/**
 * The same rows, inserted in bulk (batches of plain INSERTs, as a restore
 * would): volume for the purge to delete, quickly made. Event `i` gets
 * `deliveriesPerEvent` deliveries, each with one attempt.
 */
export async function fillHistory(
  db: D1Database,
  shape: HistoryShape,
  { start, from = 0 }: { start: number; from?: number },
): Promise<number> {
  const BATCH = 300;
  let written = 0;
  for (let first = 0; first < shape.events; first += BATCH) {
    const count = Math.min(BATCH, shape.events - first);
    const events: Row[] = [];
    const deliveries: Row[] = [];
    const attempts: Row[] = [];
    for (let n = 0; n < count; n++) {
      const i = from + first + n;
      const time = start + i * SPACING_MS;
      const who = owner(i);
      const event = historyEventRow(i, i % 2 === 0, time, who);
      events.push(event);
      for (const endpointId of endpointsOf(who, shape.deliveriesPerEvent, time)) {
        const delivery = { ...deliveryRow(i, time, { ...who, endpointId }), event_id: event.id };
        deliveries.push(delivery);
        attempts.push({
          ...attemptRow(i, time, { ...who, endpointId }),
          delivery_id: delivery.id,
          event_id: event.id,
        });
      }
    }
    await db.batch([
      ...bound(db, "events", events),
      ...bound(db, "deliveries", deliveries),
      ...bound(db, "attempts", attempts),
    ]);
    written += events.length + deliveries.length + attempts.length;
  }
  return written;
}
