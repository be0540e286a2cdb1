import { Db } from "../db/database";
import type { Bindings } from "../env";
import { type ScanOptions, scanKeys } from "./key-scan";
import { deleteKeyRecords } from "./kv";
import { removeListings, unfinishedRevocations } from "./revoke-queries";

/** Older than this, an unlisted record or a half-done delete is no request still running. */
export const RECONCILE_AFTER_MS = 5 * 60_000;

/**
 * KV and D1 share no transaction, so the scheduled reconciliation finishes
 * what a failure left half done, and can never revoke a working key (KV is
 * the truth about which keys work) but one whose maker is revoked or gone,
 * which a delete should have revoked. First the deletes that stopped after
 * marking their listings revoked (KV records, then listings), then a scan of
 * KV from where the last run stopped (src/api-keys/key-scan.ts).
 */
export async function reconcileApiKeys(env: Bindings, now: number, options: ScanOptions = {}) {
  const db = new Db(env.DB);
  const cutoff = now - RECONCILE_AFTER_MS;
  let revocationsFinished = 0;
  for (const row of await unfinishedRevocations(db, cutoff, 100)) {
    await deleteKeyRecords(env.API_KEYS, row.kvKey, row.id);
    await removeListings(db, { orgId: row.orgId, mode: row.mode }, [row.id]);
    revocationsFinished += 1;
  }
  return { revocationsFinished, ...(await scanKeys(env.API_KEYS, db, cutoff, now, options)) };
}
