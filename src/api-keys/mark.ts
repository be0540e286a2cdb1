import type { KeyIdEntry } from "../lib/api-keys";
import { putListedMark } from "./kv";

/** KV takes one write a second per key: the create's mark waits past its id entry's first write. */
const MARK_DELAY_MS = 1_100;
let markDelayMs = MARK_DELAY_MS;

/**
 * The reconciliation marks an entry only once it is this old: a younger one
 * is its create's to mark, and two writes of one KV key within a second fail.
 */
export const MARK_GRACE_MS = 60_000;

/** For tests: local KV has no per-key write rate, so a suite may skip the wait. */
export function setMarkDelay(ms = MARK_DELAY_MS) {
  markDelayMs = ms;
}

/** How long a create waits after its response before marking its id entry. */
export const markDelay = () => markDelayMs;

/**
 * Marks the id entries of keys whose listing committed. The mark is the id
 * entry's metadata, never the record that authenticates: written after a
 * delete, it brings back only an id entry without a record, which
 * authenticates nothing and which the reconciliation removes (it lists a
 * marked key again only while its record exists). So nothing is checked
 * first. Returns how many were marked.
 */
export async function markListed(
  kv: KVNamespace,
  entries: readonly { id: string; entry: KeyIdEntry }[],
) {
  for (const { id, entry } of entries) await putListedMark(kv, id, entry);
  return entries.length;
}
