import type { Db } from "../db/database";
import { overdueDeliveries, undispatchedEvents } from "./delivery-queries";
import { type DeliveryMessage, deliveryMessages, eventMessages, sendAll } from "./queue";
import { ATTEMPT_LEASE_MS } from "./schedule";

/** An event still undispatched this long after it was recorded lost its queue message. */
const SWEEP_EVENTS_AFTER_MS = 60_000;
/**
 * A pending delivery this far past its next attempt lost its retry message
 * (or its worker died mid-attempt, past the lease). Well above the few seconds
 * a delayed message may be late, so the sweep rarely duplicates one; a
 * duplicate finds its attempt claimed and does nothing.
 */
const SWEEP_DELIVERIES_AFTER_MS = 4 * 60_000 + ATTEMPT_LEASE_MS;
/** Messages of each kind one run sends at most; the next run (5 minutes later) takes the rest. */
const SWEEP_LIMIT = 1000;

type SweepResult = { events: number; deliveries: number; complete: boolean };

/**
 * Puts back on the queue what D1 says should be there: events recorded but
 * never fanned out (the worker died between commit and enqueue, or the send
 * failed) and deliveries whose retry is overdue.
 */
export async function sweepWebhooks(
  db: Db,
  queue: Queue<DeliveryMessage>,
  now: number,
  { limit = SWEEP_LIMIT } = {},
): Promise<SweepResult> {
  const events = await undispatchedEvents(db, now - SWEEP_EVENTS_AFTER_MS, limit);
  const deliveries = await overdueDeliveries(db, now - SWEEP_DELIVERIES_AFTER_MS, limit);
  await sendAll(queue, [...eventMessages(events), ...deliveryMessages(deliveries)]);
  return {
    events: events.length,
    deliveries: deliveries.length,
    complete: events.length < limit && deliveries.length < limit,
  };
}
