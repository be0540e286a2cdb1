import type { DeliveryStatus } from "../db/history-schema";

/** One POST of a delivery, as recorded. */
export type AttemptLogRecord = {
  at: number;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
  responseExcerpt: string | null;
};

/**
 * A delivery as versions present it: `attempts` holds its attempts oldest
 * first (all of them, or the last few in a list), `attemptCount` how many
 * were made in all.
 */
export type DeliveryLogRecord = {
  id: string;
  endpointId: string;
  eventId: string;
  type: string;
  status: DeliveryStatus;
  attemptCount: number;
  nextAttemptAt: number | null;
  createdAt: number;
  /** When it last ended (succeeded, failed, dropped); null while pending. Not shown. */
  completedAt: number | null;
  attempts: AttemptLogRecord[];
};

/** What one recover call queued, and where to continue (`nextSince`: null when done). */
export type RecoveryRecord = { queued: number; hasMore: boolean; nextSince: number | null };
