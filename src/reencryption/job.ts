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
export const SECRETS_CHUNK = 100;
/** Idempotency records per chunk: most hold no sealed answer and cost one short row. */
export const RESPONSES_CHUNK = 500;
/** Wall time one run may spend; the next trigger continues from the stored position. */
export const REENCRYPTION_BUDGET_MS = 20_000;

/**
 * Where a pass stands, per ring (the ids of its keys, the current one
 * first): a new ring starts a new pass. A pass walks the endpoints by id,
 * then the Idempotency-Key records by rowid; it is done when it reached the
 * end with nothing it could not open.
 */
const pass = { ring: z.string(), unreadable: z.number().int().min(0) };
const Position = z.discriminatedUnion("phase", [
  z.object({ ...pass, phase: z.literal("secrets"), after: z.string() }),
  z.object({ ...pass, phase: z.literal("responses"), after: z.number().int().min(0) }),
  z.object({ ...pass, phase: z.literal("done") }),
]);
type Position = z.infer<typeof Position>;

function parsePosition(text: string | null, ring: string): Position {
  const start: Position = { ring, unreadable: 0, phase: "secrets", after: "" };
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
  return parsed.data.ring === ring ? parsed.data : start;
}

export type ReencryptionResult = {
  /** The current key: what every value is sealed under once `complete`. */
  keyId: string;
  reencrypted: number;
  /** Values this run found that no key of the ring opens (logged with their rows). */
  unreadable: number;
  /** Every value is under the current key: the previous keys can be removed. */
  complete: boolean;
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
  let at = parsePosition(await readPosition(db), ring.keys.map((k) => k.id).join(","));
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
    const seen = () => at.unreadable + unreadable.length - before;
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
          ? { ring: at.ring, unreadable: seen(), phase: "secrets", after: last.id }
          : { ring: at.ring, unreadable: seen(), phase: "responses", after: 0 };
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
        ? { ring: at.ring, unreadable: seen(), phase: "responses", after: last.rowid }
        : seen() === 0
          ? { ring: at.ring, unreadable: 0, phase: "done" }
          : // Values no key opens keep it from completing: the next run starts a new pass.
            { ring: at.ring, unreadable: 0, phase: "secrets", after: "" };
    reencrypted += await rewriteResponsesChunk(db, changes, JSON.stringify(next), clock());
    at = next;
    return next.phase === "responses";
  };

  await repeatWithin(step, budgetMs, clock);
  return { keyId, reencrypted, unreadable: unreadable.length, complete: at.phase === "done" };
}
