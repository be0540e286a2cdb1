import { Db } from "../db/database";
import type { Bindings } from "../env";
import { parseKeyRecord } from "../lib/api-keys";
import { repeatWithin } from "../lib/time-budget";
import { type ApiWrittenKey, deleteKeyRecords } from "./kv";
import { listedAmong, removeListing, unfinishedRevocations } from "./queries";

/** Older than this, an unlisted record or a half-done delete is no request still running. */
export const RECONCILE_AFTER_MS = 5 * 60_000;
const BUDGET_MS = 20_000;

/**
 * KV and D1 share no transaction, so the scheduled reconciliation finishes
 * what a failure left half done: deletes that removed nothing yet or only the
 * KV record (KV record, then listing), and records the API wrote but never
 * listed (nobody ever saw their secret). Records the CLI wrote (no `via`
 * metadata) are never deleted here.
 */
export async function reconcileApiKeys(env: Bindings, now: number) {
  const db = new Db(env.DB);
  const cutoff = now - RECONCILE_AFTER_MS;
  let revocationsFinished = 0;
  for (const row of await unfinishedRevocations(db, cutoff, 100)) {
    await deleteKeyRecords(env.API_KEYS, row.kvKey, row.id);
    await removeListing(db, { orgId: row.orgId, mode: row.mode }, row.id);
    revocationsFinished += 1;
  }
  let unlistedRemoved = 0;
  let cursor: string | undefined;
  const complete = await repeatWithin(async () => {
    const page = await env.API_KEYS.list<ApiWrittenKey>({ prefix: "apikey:", cursor });
    const candidates = page.keys
      .filter((k) => k.metadata?.via === "api" && k.metadata.createdAt < cutoff)
      .map((k) => k.name);
    const listed = candidates.length > 0 ? await listedAmong(db, candidates) : new Set<string>();
    for (const kvKey of candidates.filter((k) => !listed.has(k))) {
      const raw = await env.API_KEYS.get(kvKey);
      const parsed = raw === null ? null : parseKeyRecord(raw);
      if (parsed && "record" in parsed) {
        await deleteKeyRecords(env.API_KEYS, kvKey, parsed.record.id);
      } else await env.API_KEYS.delete(kvKey);
      unlistedRemoved += 1;
    }
    cursor = page.list_complete ? undefined : page.cursor;
    return cursor !== undefined;
  }, BUDGET_MS);
  return { revocationsFinished, unlistedRemoved, complete };
}
