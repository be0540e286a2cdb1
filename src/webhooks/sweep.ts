import type { Stores } from "../history/stores";
import { type DeliveryMessage, deliveryMessages, eventMessages, sendAll } from "./queue";
import { ATTEMPT_LEASE_MS } from "./schedule";
import { takeLost } from "./sweep-queries";

/** An event still undispatched this long after it was recorded lost its queue message. */
const SWEEP_EVENTS_AFTER_MS = 60_000;
/**
 * A pending delivery this far past its next attempt lost its retry message
 * (or its worker died mid-attempt, past the lease). Well above the few seconds
 * a delayed message may be late, so the sweep rarely duplicates one; a
 * duplicate finds its attempt claimed and does nothing.
 */
const SWEEP_DELIVERIES_AFTER_MS = 4 * 60_000 + ATTEMPT_LEASE_MS;
/**
 * Queues keeps order only roughly: a message sent this long before a mark
 * was delivered before the mark was. It also covers a message sent after its
 * write (`waitUntil`) a little after the write's time, and a delivery's wait
 * for a free slot (sent at `next_attempt_at`, delayed up to 30 s).
 */
const MARK_SLACK_MS = 60_000;
/** Messages of each kind one run sends at most; the next run (5 minutes later) takes the rest. */
const SWEEP_LIMIT = 1000;

type SweepResult = {
  events: number;
  deliveries: number;
  complete: boolean;
  /** The queue's progress mark the run went by (null: none recorded yet). */
  mark: number | null;
};

/**
 * Puts back on the queue what D1 says should be there and is not: events
 * recorded but never fanned out (the worker died between commit and
 * enqueue, or the send failed) and deliveries whose retry is overdue. A
 * message counts as lost only once a progress mark sent after it has come
 * out of the queue, so under a backlog nothing still queued is sent twice;
 * each run then sends a new mark. Before the consumer has recorded any mark
 * (a fresh deployment), only the age rules apply.
 */
export async function sweepWebhooks(
  { catalog, history }: Stores,
  queue: Queue<DeliveryMessage>,
  now: number,
  { limit = SWEEP_LIMIT } = {},
): Promise<SweepResult> {
  const lost = await takeLost(
    catalog,
    history,
    {
      now,
      eventsBefore: now - SWEEP_EVENTS_AFTER_MS,
      deliveriesBefore: now - SWEEP_DELIVERIES_AFTER_MS,
      slack: MARK_SLACK_MS,
    },
    limit,
  );
  await sendAll(queue, [...eventMessages(lost.events), ...deliveryMessages(lost.deliveries)]);
  // After what it re-enqueued: once the mark is handled, so were they.
  await queue.send({ kind: "mark", at: now });
  return {
    events: lost.events.length,
    deliveries: lost.deliveries.length,
    complete: lost.events.length < limit && lost.deliveries.length < limit,
    mark: lost.mark,
  };
}
