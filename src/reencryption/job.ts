import { z } from "zod";
import type { Db } from "../db/database";
import { reencrypt, sealedFor } from "../lib/crypto";
import { type KeySecrets, keyRing } from "../lib/key-ring";
import { logLine } from "../lib/log";
import { repeatWithin } from "../lib/time-budget";
import {
  readPosition,
  responsesAfterRowid,
  rewriteResponsesChunk,
  rewriteSecretsChunk,
  secretsAfterId,
} from "./queries";

/** Endpoints per chunk: each secret read is decrypted and sealed again. */
const SECRETS_CHUNK = 100;
/** Idempotency records per chunk: most hold no sealed answer and cost one short row. */
const RESPONSES_CHUNK = 500;
/** Wall time one run may spend; the next trigger continues from the stored position. */
const REENCRYPTION_BUDGET_MS = 20_000;
/**
 * How long after the job first sees a current key a pass must start to
 * count. `wrangler secret put` rolls a new version out gradually: isolates
 * still on the old one keep sealing under the old key for a while, and a
 * value they write behind a pass's position stays under it.
 */
export const ROLLOUT_MS = 15 * 60_000;

/**
 * Where a pass stands, per ring (the ids of its keys, the current one
 * first): a new ring starts a new pass. A pass walks the endpoints by id,
 * then the Idempotency-Key records by rowid. It is complete when it reached
 * the end with nothing it could not open, having started ROLLOUT_MS after
 * the job first saw the current key (`since`); a finished pass that is not
 * starts another on the next run.
 */
const pass = {
  ring: z.string(),
  since: z.number().int(),
  started: z.number().int(),
  /** Values under a previous key or in the v1 format, each sealed again unless it changed since read. */
  found: z.number().int().min(0),
  unreadable: z.number().int().min(0),
};
const Position = z.discriminatedUnion("phase", [
  z.object({ ...pass, phase: z.literal("secrets"), after: z.string() }),
  z.object({ ...pass, phase: z.literal("responses"), after: z.number().int().min(0) }),
  z.object({ ...pass, phase: z.literal("done") }),
]);
type Position = z.infer<typeof Position>;

const newPass = (ring: string, since: number, now: number): Position => ({
  ring,
  since,
  started: now,
  found: 0,
  unreadable: 0,
  phase: "secrets",
  after: "",
});

const afterRollout = (at: Position) => at.started >= at.since + ROLLOUT_MS;
const completed = (at: Position) => at.phase === "done" && at.unreadable === 0 && afterRollout(at);

const currentOf = (ring: string) => ring.split(",")[0];

function parsePosition(text: string | null, ring: string, now: number): Position {
  const start = newPass(ring, now, now);
  if (text === null) return start;
  let parsed: ReturnType<typeof Position.safeParse> | null = null;
  try {
    parsed = Position.safeParse(JSON.parse(text));
  } catch {}
  if (!parsed?.success) {
    // Fail closed: a position not understood costs a pass from the start, nothing more.
    logLine("error", "re-encryption position not understood: starting over");
    return start;
  }
  const stored = parsed.data;
  if (stored.ring === ring) return stored;
  // Only a new current key starts a rollout: previous keys added or removed
  // change what opens, never what isolates seal with.
  return currentOf(stored.ring) === currentOf(ring) ? newPass(ring, stored.since, now) : start;
}

const iso = (ms: number) => new Date(ms).toISOString();

type ReencryptionResult = {
  /** The current key: what every value is sealed under once `complete`. */
  keyId: string;
  /** Values this run sealed again under the current key. */
  reencrypted: number;
  /** Values this run found that no key of the ring opens (logged with their rows). */
  unreadable: number;
  /**
   * The last pass finished with nothing unreadable and started ROLLOUT_MS
   * after `keySeenAt`: every value is under the current key, the previous
   * keys can be removed.
   */
  complete: boolean;
  /** When the job first saw the current key: passes that start ROLLOUT_MS later can complete. */
  keySeenAt: string;
  /** The pass this run worked on (the last one, when there was nothing to do). */
  pass: {
    phase: Position["phase"];
    startedAt: string;
    /** Values under a previous key or in the v1 format found so far (sealed again unless changed since read). */
    found: number;
    /** Values no key of the ring opens, found so far. */
    unreadable: number;
    /** It started ROLLOUT_MS after `keySeenAt`: it can complete. */
    afterRollout: boolean;
  };
};

/**
 * Seals every endpoint secret and every sealed Idempotency-Key answer again
 * under the current ENCRYPTION_KEY, chunk after chunk, within the time
 * budget; the next run continues where this one stopped. A value is
 * rewritten only if it is unchanged since read. Once a pass is complete the
 * job does nothing until the ring changes.
 */
export async function reencryptSecrets(
  secrets: KeySecrets,
  db: Db,
  {
    secretsChunk = SECRETS_CHUNK,
    responsesChunk = RESPONSES_CHUNK,
    budgetMs = REENCRYPTION_BUDGET_MS,
    clock = Date.now,
  } = {},
): Promise<ReencryptionResult> {
  const ring = await keyRing(secrets);
  if (!ring.current) {
    throw new Error(`nothing re-encrypted: ENCRYPTION_KEY is ${ring.checks.ENCRYPTION_KEY}`);
  }
  const keyId = ring.current.id;
  const now = clock();
  let at = parsePosition(await readPosition(db), ring.keys.map((k) => k.id).join(","), now);
  // A finished pass that cannot complete (too early, or values no key
  // opened) is followed by another, one run later: never the run that
  // finished it, which may still be inside the rollout window.
  if (at.phase === "done" && !completed(at)) at = newPass(at.ring, at.since, now);
  let reencrypted = 0;
  const unreadable: string[] = [];

  const reseal = async (context: string, stored: string, row: string) => {
    try {
      return await reencrypt(secrets, context, stored);
    } catch (err) {
      unreadable.push(row);
      logLine("error", "re-encryption: a value no key of the ring opens", { row }, err);
      return null;
    }
  };

  const step = async (): Promise<boolean> => {
    if (at.phase === "done") return false;
    const before = unreadable.length;
    const tally = (changes: unknown[]) => ({
      ring: at.ring,
      since: at.since,
      started: at.started,
      found: at.found + changes.length,
      unreadable: at.unreadable + unreadable.length - before,
    });
    if (at.phase === "secrets") {
      const rows = await secretsAfterId(db, at.after, secretsChunk);
      const changes = [];
      for (const { secret, ...row } of rows) {
        const to = await reseal(sealedFor.endpointSecret(row.id), secret, `endpoint ${row.id}`);
        if (to) changes.push({ ...row, from: secret, to });
      }
      const last = rows.at(-1);
      const next: Position =
        last && rows.length >= secretsChunk
          ? { ...tally(changes), phase: "secrets", after: last.id }
          : { ...tally(changes), phase: "responses", after: 0 };
      reencrypted += await rewriteSecretsChunk(db, changes, JSON.stringify(next), clock());
      at = next;
      return true;
    }
    const rows = await responsesAfterRowid(db, at.after, responsesChunk);
    const changes = [];
    for (const { body, ...row } of rows) {
      if (body === null) continue;
      const context = sealedFor.storedResponse({ tenant: row, key: row.key });
      const to = await reseal(context, body, `idempotency record ${row.rowid}`);
      if (to) changes.push({ ...row, from: body, to });
    }
    const last = rows.at(-1);
    const next: Position =
      last && rows.length >= responsesChunk
        ? { ...tally(changes), phase: "responses", after: last.rowid }
        : { ...tally(changes), phase: "done" };
    reencrypted += await rewriteResponsesChunk(db, changes, JSON.stringify(next), clock());
    at = next;
    return next.phase === "responses";
  };

  await repeatWithin(step, budgetMs, clock);
  return {
    keyId,
    reencrypted,
    unreadable: unreadable.length,
    complete: completed(at),
    keySeenAt: iso(at.since),
    pass: {
      phase: at.phase,
      startedAt: iso(at.started),
      found: at.found,
      unreadable: at.unreadable,
      afterRollout: afterRollout(at),
    },
  };
}
