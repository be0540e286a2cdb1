import type { Database } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import { claimStatements, type KeyedRequest } from "./queries";

export type ClaimingDb = {
  db: Database;
  /** When the claim committed (its `created_at`), or null while it has not. */
  claimedAt: () => number | null;
  /** A batch failed on its own (not on the key), so nothing it held was written. */
  writeRefused: () => boolean;
};

/**
 * Wraps `db` so that its first batch to commit also claims the key. Query code
 * keeps calling `db.batch([...])` and gets its own results back: the claim
 * statements are prepended and their results stripped. A batch is one
 * transaction, so the write and the claim commit together or not at all, and
 * a keyed write still costs one round trip.
 *
 * `onTaken` runs when the key is already held; whatever it throws replaces
 * the batch's error (a replay, or a 409).
 */
export function claimingDb(
  db: Database,
  request: KeyedRequest,
  onTaken: () => Promise<never>,
): ClaimingDb {
  let claimedAt: number | null = null;
  let writeRefused = false;

  const batch: Database["batch"] = async (items) => {
    if (claimedAt !== null) return db.batch(items);
    const now = Date.now();
    const head = claimStatements(db, request, now);
    // The tuple types cannot express "head, then the caller's items"; the
    // results are sliced back to exactly the caller's shape below.
    const all = [...head, ...items] as unknown as typeof items;
    const results = await db.batch(all).catch((err: unknown) => {
      // The claim is the first insert of the batch, so a held key fails there,
      // before any of the caller's statements could fail on their own indexes.
      if (isUniqueViolation(err, "idempotency_keys.key")) return onTaken();
      writeRefused = true;
      throw err;
    });
    claimedAt = now;
    return results.slice(head.length) as unknown as typeof results;
  };

  const wrapped: Database = Object.assign(Object.create(db) as Database, { batch });
  return { db: wrapped, claimedAt: () => claimedAt, writeRefused: () => writeRefused };
}
