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

/** An endpoint whose attempts have all failed for this long is deactivated. */
export const DEACTIVATE_AFTER_MS = 72 * 60 * 60 * 1000;

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

/** What follows a failed attempt made at `now` of a delivery created at `createdAt`. */
export function afterFailure(
  createdAt: number,
  attempts: number,
  now: number,
): { giveUp: true } | { giveUp: false; delaySeconds: number; nextAttemptAt: number } {
  if (now - createdAt >= RETRY_WINDOW_MS) return { giveUp: true };
  const delaySeconds = retryDelaySeconds(attempts);
  return { giveUp: false, delaySeconds, nextAttemptAt: now + delaySeconds * 1000 };
}
