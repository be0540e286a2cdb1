import { z } from "zod";
import type { Db } from "../db/database";
import { idKvKey, type KeyIdEntry, parseKeyIdEntry } from "../lib/api-keys";
import { logLine } from "../lib/log";
import { repeatWithin } from "../lib/time-budget";
import type { Tenant } from "../tenant";
import { apiWritten, deleteKeyRecords, readRecord } from "./kv";
import { checkLineages, type LostKey, revokeLost } from "./lineage";
import { MARK_GRACE_MS, markListed } from "./mark";
import {
  anyListed,
  listingsMissingFrom,
  listingsOf,
  readScanPosition,
  relist,
  removeOrphanListing,
  saveScanPosition,
} from "./reconcile-queries";

/** More removals than this in one run means the listing looks wrong: the run removes none. */
export const MAX_REMOVALS = 5;
const BUDGET_MS = 20_000;
/**
 * Per run: pages listed and keys marked, listed again or found orphaned. An
 * invocation may make 1000 KV operations; an action is up to three (an entry
 * from before the mark: read it, read its record, write the mark).
 */
const LIMITS = { pageSize: 1000, maxPages: 50, maxActions: 150 };
const PREFIX = "apikeyid:";
/** Above every key id: the upper end of the last page's range. */
const END = "\u{10ffff}";

export type ScanOptions = Partial<typeof LIMITS>;

/** Where the scan goes on: KV's list cursor, and the last KV key it passed. */
const positionSchema = z.object({ cursor: z.string().nullable(), after: z.string() });
type Position = z.infer<typeof positionSchema>;
const START: Position = { cursor: null, after: "" };

function parsePosition(raw: string | null): Position {
  if (raw === null) return START;
  try {
    return positionSchema.parse(JSON.parse(raw));
  } catch {
    logLine("warn", "API key reconciliation: unreadable scan position, starting over");
    return START;
  }
}

/** A page of id entries from `position`; a cursor KV no longer accepts starts over. */
async function listPage(kv: KVNamespace, position: Position, limit: number) {
  const options = { prefix: PREFIX, limit };
  if (position.cursor === null) return { page: await kv.list(options), from: position };
  try {
    return { page: await kv.list({ ...options, cursor: position.cursor }), from: position };
  } catch (err) {
    logLine("warn", "API key reconciliation: KV refused its cursor, starting over", {}, err);
    return { page: await kv.list(options), from: START };
  }
}

/** An id entry as the list shows it: `mark` null for one from before its metadata. */
type Entry = { id: string; mark: KeyIdEntry | null };
type Removal =
  | { kind: "key"; id: string; kvKey: string }
  | { kind: "listing"; tenant: Tenant; id: string; kvKey: string };

const idOf = (name: string) => name.slice(PREFIX.length);

/**
 * An entry from before the metadata: what its mark needs, from its value
 * (the record's KV key) and the record (`via` from the record's metadata).
 */
async function legacyMark(kv: KVNamespace, id: string): Promise<KeyIdEntry | null> {
  const kvKey = await kv.get(idKvKey(id));
  if (kvKey === null || !kvKey.startsWith("apikey:")) return null;
  const found = await readRecord(kv, kvKey, id);
  if (!found) return null;
  const via = apiWritten(found.metadata) ? "api" : "cli";
  return { via, createdAt: Date.parse(found.record.createdAt), kvKey };
}

/**
 * The KV side of the reconciliation (KV is the truth about which keys work):
 * walks the id entries (`apikeyid:<id>`, whose metadata says who wrote the
 * key, when, its record's KV key and whether its listing committed) a page
 * at a time from where the last run stopped. A listed key whose entry is not
 * marked is marked; a marked one whose listing is gone is listed again at
 * once from its record, or, when the record is gone too, its entry is
 * removed (it authenticates nothing), or, when a key above it is revoked or
 * gone, it is revoked with the keys it made (src/api-keys/lineage.ts: a
 * restore must not keep alive a key its maker's delete could not see); an
 * unmarked unlisted one the API wrote, older than `cutoff`, is a create that
 * crashed before its batch: its record and entry are removed; a listing
 * whose record is gone is removed. Entries from before the metadata, and
 * the CLI's, are never removed. Removals wait for the end of the run: when
 * the listing looks wrong (empty while KV holds marked or API-made keys, or
 * more than MAX_REMOVALS of them), nothing is removed and an error is logged.
 */
export async function scanKeys(
  kv: KVNamespace,
  db: Db,
  cutoff: number,
  now: number,
  options: ScanOptions = {},
) {
  const { pageSize, maxPages, maxActions } = { ...LIMITS, ...options };
  const start = parsePosition(await readScanPosition(db));
  const listingEmpty = !(await anyListed(db));
  const tally = {
    marked: 0,
    relisted: 0,
    lineageRevoked: 0,
    unlistedRemoved: 0,
    listingsRemoved: 0,
    orphanEntriesRemoved: 0,
  };
  const removals: Removal[] = [];
  let position = start;
  let pages = 0;
  let actions = 0;
  // Set inside `step`: an object, so the checks after it see what it set.
  const run: { passComplete: boolean; stopped: string | null } = {
    passComplete: false,
    stopped: null,
  };

  const step = async (): Promise<boolean> => {
    const { page, from } = await listPage(kv, position, pageSize);
    pages += 1;
    const entries: Entry[] = page.keys.map((k) => ({
      id: idOf(k.name),
      mark: parseKeyIdEntry(k.metadata),
    }));
    if (listingEmpty && entries.some((e) => e.mark?.via === "api" || e.mark?.listed)) {
      run.stopped = "the listing is empty while KV holds keys made over the API or marked listed";
      return false;
    }
    const listing = await listingsOf(
      db,
      entries.map((e) => e.id),
    );
    // Marking and listing again never take a key away: they need no waiting
    // beyond the create's own mark.
    const toMark = entries.filter(
      (e) =>
        listing.get(e.id)?.revoked === false &&
        (e.mark === null || (!e.mark.listed && e.mark.createdAt < now - MARK_GRACE_MS)),
    );
    const toRelist = entries.filter((e) => e.mark?.listed && !listing.has(e.id));
    const actionable = [...toMark, ...toRelist];
    const allowed = actionable.slice(0, maxActions - actions);
    actions += allowed.length;
    const marks: { id: string; entry: KeyIdEntry }[] = [];
    const lost: LostKey[] = [];
    for (const e of allowed) {
      if (e.mark?.listed) {
        const found = await readRecord(kv, e.mark.kvKey, e.id);
        if (found) lost.push({ kvKey: e.mark.kvKey, record: found.record });
        else {
          // Marked, unlisted and without a record: a delete ran (and a late
          // mark wrote the entry again). It authenticates nothing.
          await kv.delete(idKvKey(e.id));
          tally.orphanEntriesRemoved += 1;
        }
        continue;
      }
      const entry = e.mark ?? (await legacyMark(kv, e.id));
      if (entry) marks.push({ id: e.id, entry });
    }
    tally.marked += await markListed(kv, marks);
    // A key is never listed again once a key above it is gone: deleting a key
    // revokes every key it made, also those a restore had unlisted.
    const { gone, listed } = await checkLineages(kv, db, lost);
    const working = lost.filter((l) => !gone.has(l.record.id));
    if (working.length > 0) {
      tally.relisted += await relist(db, working, listed);
      logLine("warn", "API key reconciliation: working keys were not listed, listed them again", {
        keyIds: working.map((r) => r.record.id),
      });
    }
    const orphaned = lost.filter((l) => gone.has(l.record.id));
    if (orphaned.length > 0) {
      const revoked: string[] = [];
      for (const key of orphaned) revoked.push(...(await revokeLost(kv, db, key, now)));
      tally.lineageRevoked += revoked.length;
      logLine(
        "warn",
        "API key reconciliation: keys whose maker is revoked or gone were not listed again, revoked them and the keys they made",
        {
          keyIds: orphaned.map((l) => l.record.id),
          goneAncestors: orphaned.map((l) => gone.get(l.record.id)),
          revoked,
        },
      );
    }
    if (allowed.length < actionable.length) {
      // Not all of this page was handled: the next run lists it again.
      position = from;
      return false;
    }
    // Only an unmarked entry the API wrote, old enough to be no create still running.
    for (const { id, mark } of entries) {
      if (mark?.via === "api" && !mark.listed && !listing.has(id) && mark.createdAt < cutoff)
        removals.push({ kind: "key", id, kvKey: mark.kvKey });
    }
    const last = page.keys.at(-1)?.name;
    const until = page.list_complete ? END : last && idOf(last);
    if (until !== undefined) {
      const gone = await listingsMissingFrom(
        db,
        { after: idOf(from.after), until, seen: entries.map((e) => e.id) },
        cutoff,
        MAX_REMOVALS + 1,
      );
      for (const { orgId, mode, id, kvKey } of gone) {
        removals.push({ kind: "listing", tenant: { orgId, mode }, id, kvKey });
      }
    }
    if (removals.length > MAX_REMOVALS) {
      run.stopped = `more than ${MAX_REMOVALS} keys or listings to remove in one run`;
      removals.length = 0;
    }
    run.passComplete = page.list_complete;
    position = page.list_complete ? START : { cursor: page.cursor, after: last ?? from.after };
    return run.stopped === null && !page.list_complete && pages < maxPages;
  };

  await repeatWithin(step, BUDGET_MS);
  if (run.stopped !== null) {
    logLine("error", "API key reconciliation stopped: the listing looks wrong, nothing removed", {
      reason: run.stopped,
    });
  }
  // An empty listing stops the scan where it is: nothing done, nothing skipped.
  if (!listingEmpty) await saveScanPosition(db, JSON.stringify(position), now);
  for (const removal of run.stopped === null ? removals : []) {
    if (removal.kind === "key") {
      await deleteKeyRecords(kv, removal.kvKey, removal.id);
      tally.unlistedRemoved += 1;
    } else if ((await kv.get(removal.kvKey)) === null) {
      // A direct read, not the list: only a record KV really lacks loses its listing.
      await removeOrphanListing(db, removal.tenant, removal.id, removal.kvKey);
      tally.listingsRemoved += 1;
    }
  }
  return { ...tally, passComplete: run.passComplete, stopped: run.stopped !== null };
}
