import { ApiError, type FieldIssue } from "../errors";
import { WEBHOOK_RETENTION_MS } from "../webhooks/purge";

/** A recover's time range, epoch ms: `since` included, `until` excluded. */
export type RecoveryRange = { since: number; until: number };

/**
 * The range of a recover body, or a 400 naming the field at fault: no time
 * in the future, `until` within the history kept (the last 30 days) and
 * after `since`; `until` defaults to `now`. A `since` older than the
 * history kept starts where it starts: nothing older exists to recover, and
 * "everything since X" stays a valid request as X ages.
 */
export function recoveryRange(
  body: { since: string; until?: string | undefined },
  now: number,
): RecoveryRange {
  const since = Date.parse(body.since);
  const until = body.until === undefined ? now : Date.parse(body.until);
  const issues: FieldIssue[] = [];
  if (since > now) issues.push({ field: "since", message: "must not be in the future" });
  if (until > now) issues.push({ field: "until", message: "must not be in the future" });
  if (until <= now - WEBHOOK_RETENTION_MS) {
    issues.push({ field: "until", message: "must be within the last 30 days" });
  }
  if (issues.length === 0 && since >= until) {
    issues.push(
      body.until === undefined
        ? { field: "since", message: "must be before now" }
        : { field: "until", message: "must be after since" },
    );
  }
  if (issues.length > 0) throw ApiError.validation(issues);
  return { since: Math.max(since, now - WEBHOOK_RETENTION_MS), until };
}
