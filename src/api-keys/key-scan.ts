import { z } from "zod";
import type { Db } from "../db/database";
import { type KeyRecord, parseKeyRecord } from "../lib/api-keys";
import { logLine } from "../lib/log";
import { repeatWithin } from "../lib/time-budget";
import type { Tenant } from "../tenant";
import { type ApiWrittenKey, apiWritten, deleteKeyRecords } from "./kv";
import { markListed } from "./mark";
import { listedAmong } from "./queries";
import {
  anyListed,
  listingsMissingFrom,
  readScanPosition,
  relist,
  removeOrphanListing,
  saveScanPosition,
} from "./reconcile-queries";

/** More removals than this in one run means the listing looks wrong: the run removes none. */
export const MAX_REMOVALS = 5;
const BUDGET_MS = 20_000;
/**
 * Per run: pages listed and keys marked or listed again. An invocation may
 * make 1000 KV operations; a mark is up to three (read, write, undo).
 */
const LIMITS = { pageSize: 1000, maxPages: 50, maxActions: 150 };
/** Above every KV key of a record: the upper end of the last page's range. */
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

/** A page of records from `position`; a cursor KV no longer accepts starts over. */
async function listPage(kv: KVNamespace, position: Position, limit: number) {
  const options = { prefix: "apikey:", limit };
  if (position.cursor === null) return { page: await kv.list(options), from: position };
  try {
    return { page: await kv.list({ ...options, cursor: position.cursor }), from: position };
  } catch (err) {
    logLine("warn", "API key reconciliation: KV refused its cursor, starting over", {}, err);
    return { page: await kv.list(options), from: START };
  }
}

type Made = ApiWrittenKey & { kvKey: string };
type Removal =
  | { kind: "record"; kvKey: string }
  | { kind: "listing"; tenant: Tenant; id: string; kvKey: string };

async function readRecords(kv: KVNamespace, keys: readonly Made[]) {
  const out: { key: Made; value: string; record: KeyRecord }[] = [];
  for (const key of keys) {
    const value = await kv.get(key.kvKey);
    const parsed = value === null ? null : parseKeyRecord(value);
    if (value !== null && parsed && "record" in parsed)
      out.push({ key, value, record: parsed.record });
  }
  return out;
}

/**
 * The KV side of the reconciliation (KV is the truth about which keys work):
 * walks the records a page at a time from where the last run stopped. A
 * listed record the API wrote is marked listed; a marked one whose listing is
 * gone is listed again at once (never removed); an unmarked unlisted one older than
 * `cutoff` is a create that crashed before its batch and is removed; a
 * listing whose record is gone is removed. Removals wait for the end of the
 * run: when the listing looks wrong (empty while KV holds the API's keys, or
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
  const tally = { marked: 0, relisted: 0, unlistedRemoved: 0, listingsRemoved: 0 };
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
    const made = page.keys.flatMap((k) => {
      const metadata = apiWritten(k.metadata);
      return metadata ? [{ ...metadata, kvKey: k.name }] : [];
    });
    if (listingEmpty && made.length > 0) {
      run.stopped = "the listing is empty while KV holds keys made over the API";
      return false;
    }
    const listing = await listedAmong(
      db,
      made.map((k) => k.kvKey),
    );
    const unlisted = made.filter((k) => !listing.has(k.kvKey));
    // Marking and listing again never take a key away: they need no waiting.
    const toMark = made.filter((k) => !k.listed && listing.get(k.kvKey)?.revoked === false);
    const toRelist = unlisted.filter((k) => k.listed);
    const actionable = [...toMark, ...toRelist];
    const allowed = actionable.slice(0, maxActions - actions);
    actions += allowed.length;
    const records = await readRecords(kv, allowed);
    const marks = records.filter((r) => !r.key.listed);
    tally.marked += await markListed(
      kv,
      db,
      marks.map((r) => ({
        kvKey: r.key.kvKey,
        id: r.record.id,
        value: r.value,
        createdAt: r.key.createdAt,
      })),
    );
    const lost = records.filter((r) => r.key.listed);
    if (lost.length > 0) {
      tally.relisted += await relist(
        db,
        lost.map((r) => ({ kvKey: r.key.kvKey, record: r.record })),
      );
      logLine("warn", "API key reconciliation: working keys were not listed, listed them again", {
        keyIds: lost.map((r) => r.record.id),
      });
    }
    if (allowed.length < actionable.length) {
      // Not all of this page was handled: the next run lists it again.
      position = from;
      return false;
    }
    // Only an unmarked record old enough to be no create still running.
    for (const k of unlisted) {
      if (!k.listed && k.createdAt < cutoff) removals.push({ kind: "record", kvKey: k.kvKey });
    }
    const last = page.keys.at(-1)?.name;
    const until = page.list_complete ? END : last;
    if (until !== undefined) {
      const seen = page.keys.map((k) => k.name);
      const gone = await listingsMissingFrom(
        db,
        { after: from.after, until, seen },
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
    if (removal.kind === "record") {
      await removeRecord(kv, removal.kvKey);
      tally.unlistedRemoved += 1;
    } else if ((await kv.get(removal.kvKey)) === null) {
      // A direct read, not the list: only a record KV really lacks loses its listing.
      await removeOrphanListing(db, removal.tenant, removal.id, removal.kvKey);
      tally.listingsRemoved += 1;
    }
  }
  return { ...tally, passComplete: run.passComplete, stopped: run.stopped !== null };
}

/** An unlisted record nobody ever saw: removed with its id entry when it parses. */
async function removeRecord(kv: KVNamespace, kvKey: string) {
  const raw = await kv.get(kvKey);
  const parsed = raw === null ? null : parseKeyRecord(raw);
  if (parsed && "record" in parsed) await deleteKeyRecords(kv, kvKey, parsed.record.id);
  else await kv.delete(kvKey);
}
