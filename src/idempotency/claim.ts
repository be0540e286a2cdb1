import { sql } from "drizzle-orm";
import type { Session, WriteClaim, WriteOptions } from "../db/database";
import { isUniqueViolation } from "../db/errors";
import { bind, type Change, type Statement, type Values, type Write } from "../db/statements";
import {
  claimInsert,
  freeExpired,
  type KeyedRequest,
  type KeyRecord,
  keyValues,
  probe,
} from "./records";

/**
 * Thrown out of a write whose Idempotency-Key another request holds:
 * `record` is that request's record, or null when the batch only said the
 * key is taken (a retry then reads it).
 */
export class KeyTaken extends Error {
  constructor(readonly record: KeyRecord | null) {
    super("Idempotency-Key already taken");
    this.name = "KeyTaken";
  }
}

const claims = new WeakMap<object, Change>();

/** The claim insert of `write`, compiled once: it holds exactly when the write applies. */
function claimOf(write: Write<Record<string, Statement>>): Change {
  let claim = claims.get(write);
  if (!claim) {
    claim = claimInsert(write.precondition?.() ?? sql`1`);
    claims.set(write, claim);
  }
  return claim;
}

type ClaimState = "none" | "claimed" | "not_claimed";

/**
 * The Idempotency-Key of one request, joined to its first write: that batch
 * starts with the claim and ends with a probe of who holds the key, so a
 * keyed write still costs one round trip. Later writes of the request run
 * as they are.
 */
export class KeyClaim implements WriteClaim {
  /** `none`: no write ran yet; `claimed`: the write applied with our claim; `not_claimed`: it ran and applied nothing. */
  state: ClaimState = "none";
  /** A write was sent to D1: it may have committed even if we never heard back. */
  attempted = false;
  /** The answer was stored with the claim (a create whose answer holds a secret). */
  answered = false;
  /**
   * Another request held the key: the answer comes from its record (or, had
   * that just expired, tells the client to retry), so it is never ours to record.
   */
  taken = false;

  constructor(readonly request: KeyedRequest) {}

  async run(
    session: Session,
    write: Write<Record<string, Statement>>,
    statements: D1PreparedStatement[],
    values: Values,
    options: WriteOptions,
  ): Promise<D1Result[]> {
    if (this.state !== "none") return session.batch(statements);
    const now = Date.now();
    const all = {
      ...values,
      ...keyValues(this.request, now),
      k_resourceId: options.resourceId ?? null,
      k_status: options.response?.status ?? null,
      k_response: options.response?.body ?? null,
      k_finishedAt: options.response ? now : null,
    };
    const head = [bind(session, freeExpired, all), bind(session, claimOf(write), all)];
    this.attempted = true;
    let results: D1Result[];
    try {
      results = await session.batch([...head, ...statements, bind(session, probe, all)]);
    } catch (err) {
      // The claim is the first insert of the batch: a held key fails there,
      // before any of the write's own statements could fail on their indexes.
      if (isUniqueViolation(err, "idempotency_keys.key")) {
        this.state = "not_claimed";
        this.taken = true;
        throw new KeyTaken(null);
      }
      throw err;
    }
    const holder = probe.decode((results.at(-1) as D1Result).results)[0] as KeyRecord | undefined;
    if (holder && holder.claimId === this.request.claimId) {
      this.state = "claimed";
      this.answered = options.response !== undefined;
    } else {
      this.state = "not_claimed";
      // The write did not apply (its precondition failed), and another request holds the key.
      if (holder) {
        this.taken = true;
        throw new KeyTaken(holder);
      }
    }
    return results.slice(head.length, head.length + statements.length);
  }
}
