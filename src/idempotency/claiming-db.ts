import { createDb, type Database } from "../db/client";
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
 * keeps calling `batch` (drizzle's or a prepared one) and gets its own results
 * back: the claim statements are prepended at the D1 level and their results
 * stripped. A batch is one transaction, so the write and the claim commit
 * together or not at all, and a keyed write still costs one round trip.
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
  const client = db.$client;

  const batch = async (statements: D1PreparedStatement[]) => {
    if (claimedAt !== null) return client.batch(statements);
    const now = Date.now();
    const head = claimStatements(db, request, now).map((statement) => {
      const { sql, params } = statement.toSQL();
      return client.prepare(sql).bind(...params);
    });
    const results = await client.batch([...head, ...statements]).catch((err: unknown) => {
      // The claim is the first insert of the batch, so a held key fails there,
      // before any of the caller's statements could fail on their own indexes.
      if (isUniqueViolation(err, "idempotency_keys.key")) return onTaken();
      writeRefused = true;
      throw err;
    });
    claimedAt = now;
    return results.slice(head.length);
  };

  // Drizzle's D1 driver and prepared queries only call prepare() and batch().
  const claiming = { prepare: (query: string) => client.prepare(query), batch };
  return {
    db: createDb(claiming as unknown as D1Database),
    claimedAt: () => claimedAt,
    writeRefused: () => writeRefused,
  };
}
