import type { Db } from "../db/database";
import { putListedMark } from "./kv";
import { listedAmong } from "./queries";

/** KV takes one write a second per key: the create's mark waits past its record's first write. */
export const MARK_DELAY_MS = 1_100;
let markDelayMs = MARK_DELAY_MS;

/** For tests: local KV has no per-key write rate, so a suite may skip the wait. */
export function setMarkDelay(ms = MARK_DELAY_MS) {
  markDelayMs = ms;
}

/** How long a create waits after its response before marking its record. */
export const markDelay = () => markDelayMs;

export type Unmarked = { kvKey: string; id: string; value: string; createdAt: number };

/**
 * Marks records whose listing committed. The mark rewrites the record, so a
 * delete running meanwhile could see it come back: only records still listed
 * and not being revoked are written, and any whose listing is gone or revoked
 * right after the write is deleted again (a delete marks its listing revoked
 * before it deletes the record, so one of the two always sees the other).
 * Returns how many were marked.
 */
export async function markListed(kv: KVNamespace, db: Db, entries: readonly Unmarked[]) {
  const stillListed = async (some: readonly Unmarked[]) => {
    const listing = await listedAmong(
      db,
      some.map((e) => e.kvKey),
    );
    return some.filter((e) => {
      const row = listing.get(e.kvKey);
      return row !== undefined && row.id === e.id && !row.revoked;
    });
  };
  const listed = await stillListed(entries);
  if (listed.length === 0) return 0;
  for (const entry of listed) await putListedMark(kv, entry);
  const kept = new Set(await stillListed(listed));
  for (const entry of listed) if (!kept.has(entry)) await kv.delete(entry.kvKey);
  return kept.size;
}
