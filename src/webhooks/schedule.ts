/**
 * When deliveries are attempted, retried and given up, and when an endpoint
 * that keeps failing is switched off (API.md, Webhooks: "the first retry
 * within 30 s, for at least 24 hours"; "failed every attempt for 72 hours").
 */

/** An endpoint that has not answered by then has failed this attempt. */
export const ATTEMPT_TIMEOUT_MS = 10_000;

/** The first retry waits this long; each later wait doubles, up to RETRY_CAP_SECONDS. */
const RETRY_BASE_SECONDS = 30;
const RETRY_CAP_SECONDS = 3600;

/** A delivery still failing this long after it was created is given up. */
export const RETRY_WINDOW_MS = 24 * 60 * 60 * 1000;

/**
 * An endpoint whose attempts have all failed for this long, and at least
 * DEACTIVATE_AFTER_FAILURES times in a row, is deactivated: a run both long
 * and dense, never one failure after a quiet period.
 */
export const DEACTIVATE_AFTER_MS = 72 * 60 * 60 * 1000;
export const DEACTIVATE_AFTER_FAILURES = 10;
/**
 * A failure this long after the endpoint's previous one starts a new streak:
 * nothing was sent in between (a failing delivery retries at least hourly), so
 * the old outage says nothing about the endpoint now.
 */
export const STREAK_GAP_MS = 12 * 60 * 60 * 1000;

/**
 * POSTs in flight to one endpoint at once, across every consumer invocation
 * and test send: a burst never floods a receiver (whose overload answers
 * would then count toward its deactivation).
 */
export const ENDPOINT_MAX_IN_FLIGHT = 4;

/** The longest a delivery waiting for a free POST slot stays away (below the sweep's MARK_SLACK_MS). */
const SLOT_WAIT_CAP_SECONDS = 30;

/**
 * A delivery that found its endpoint's POSTs all taken goes back to the
 * queue for a few seconds: 1 s up to 2, 4, 8... seconds (at most
 * SLOT_WAIT_CAP_SECONDS) after `waited` such waits in a row, picked at
 * random in that range so the waiting ones do not return together, and a
 * long backlog behind a slow receiver does not keep D1 busy re-checking.
 */
export function slotWaitSeconds(waited: number, random = Math.random()): number {
  const most = Math.min(2 ** (Math.min(waited, 10) + 1), SLOT_WAIT_CAP_SECONDS);
  return 1 + Math.floor(random * most);
}

/**
 * While an attempt runs, its delivery is not due again for this long (a
 * lease): a duplicate message skips it, and if the worker dies mid-attempt,
 * the sweep finds the delivery overdue once the lease has passed.
 */
export const ATTEMPT_LEASE_MS = 60_000;

/**
 * Seconds to wait after failed attempt number `attempts` (1 for the first):
 * 30 s, 1, 2, 4, 8, 16, 32 min, then every hour. Thirty-one attempts span the
 * 24-hour window; a Queues delay may be at most 12 hours, far above the cap.
 */
export function retryDelaySeconds(attempts: number): number {
  return Math.min(RETRY_BASE_SECONDS * 2 ** Math.max(0, attempts - 1), RETRY_CAP_SECONDS);
}

/**
 * What follows a failed attempt made at `now` of a delivery created at
 * `createdAt`: the next try on the usual backoff, until the retry window ends.
 */
export function afterFailure(
  createdAt: number,
  attempts: number,
  now: number,
): { giveUp: true } | { giveUp: false; delaySeconds: number; nextAttemptAt: number } {
  if (now - createdAt >= RETRY_WINDOW_MS) return { giveUp: true };
  return afterOwnFailure(attempts, now);
}

/**
 * What follows an attempt the service could not make (no key, a secret it
 * cannot decrypt, a payload it cannot present): the endpoint is not at
 * fault, so the delivery is never given up for it. It is retried, at most an
 * hour apart, until the cause is fixed (or the 30-day purge takes it).
 */
export function afterOwnFailure(
  attempts: number,
  now: number,
): { giveUp: false; delaySeconds: number; nextAttemptAt: number } {
  const delaySeconds = retryDelaySeconds(attempts);
  return { giveUp: false, delaySeconds, nextAttemptAt: now + delaySeconds * 1000 };
}
