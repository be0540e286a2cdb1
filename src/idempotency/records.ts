import { and, eq, gte, isNull, lt, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/database";
import { idempotencyKeys as keys } from "../db/schema";
import { valuesWhere } from "../db/sql";
import { change, defineRead, defineWrite, param, select } from "../db/statements";
import type { Tenant } from "../tenant";
import type { ApiVersion } from "../versions/ids";

/** A key is remembered this long; an older record counts as absent. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/**
 * A first attempt whose claim is younger than this, with no answer stored
 * and not marked finished, may still be running: a retry is told to wait.
 * After it, the claim (which proves the write) is answered from what was
 * committed. Our handlers answer within one D1 round trip of their claim.
 */
export const IN_FLIGHT_MS = 10_000;

/** What a keyed request is compared on (a retry must match all of it), and this attempt's claim. */
export type KeyedRequest = {
  tenant: Tenant;
  key: string;
  method: string;
  path: string;
  bodyHash: string;
  version: ApiVersion;
  claimId: string;
};

// Bookkeeping statements bind their own values (`k_*`), apart from the write's.
const k = (name: string) => param(`k_${name}`);

const byKey = and(
  eq(keys.orgId, k("orgId")),
  eq(keys.mode, k("mode")),
  eq(keys.key, k("key")),
) as SQL;

const recordColumns = {
  method: keys.method,
  path: keys.path,
  bodyHash: keys.bodyHash,
  statusCode: keys.statusCode,
  responseBody: keys.responseBody,
  createdAt: keys.createdAt,
  claimId: keys.claimId,
  version: keys.version,
  resourceId: keys.resourceId,
  finishedAt: keys.finishedAt,
};

export type KeyRecord = {
  method: string;
  path: string;
  bodyHash: string;
  statusCode: number | null;
  responseBody: string | null;
  createdAt: number;
  claimId: string | null;
  version: string | null;
  resourceId: string | null;
  finishedAt: number | null;
};

/** A response stored with a claim or after it. */
type StoredResponse = { status: number; body: string };

export function keyValues(req: KeyedRequest, now: number) {
  return {
    k_orgId: req.tenant.orgId,
    k_mode: req.tenant.mode,
    k_key: req.key,
    k_method: req.method,
    k_path: req.path,
    k_bodyHash: req.bodyHash,
    k_version: req.version,
    k_claimId: req.claimId,
    k_now: now,
    k_expiredBefore: now - IDEMPOTENCY_TTL_MS,
  };
}

/** Frees a key whose record expired but was not purged yet, which would collide on the index. */
export const freeExpired = change((b) =>
  b.delete(keys).where(and(byKey, lt(keys.createdAt, k("expiredBefore")))),
);

const newRecord = (condition: SQL) =>
  valuesWhere(
    keys,
    {
      orgId: k("orgId"),
      mode: k("mode"),
      key: k("key"),
      method: k("method"),
      path: k("path"),
      bodyHash: k("bodyHash"),
      statusCode: k("status"),
      responseBody: k("response"),
      createdAt: k("now"),
      claimId: k("claimId"),
      version: k("version"),
      resourceId: k("resourceId"),
      finishedAt: k("finishedAt"),
    },
    condition,
  );

/**
 * The claim, first in a write's batch: inserted only when the write's
 * precondition holds, so a claim proves its write. A plain INSERT: a key
 * already held fails the whole batch before any of the write runs.
 */
export const claimInsert = (precondition: SQL) =>
  change((b) => b.insert(keys).select(newRecord(precondition)));

/** Last in a write's batch: who holds the key now (this attempt, another one, or nobody). */
export const probe = select(recordColumns, (from) => from().from(keys).where(byKey));

const findRecord = defineRead(recordColumns, (from) =>
  from()
    .from(keys)
    .where(and(byKey, gte(keys.createdAt, k("expiredBefore")))),
);

export async function findKeyRecord(db: Db, req: KeyedRequest, now: number) {
  const [row] = await db.read(findRecord, keyValues(req, now));
  return (row as KeyRecord | undefined) ?? null;
}

const storeBatch = defineWrite({
  store: change((b) =>
    b
      .update(keys)
      .set({ statusCode: k("status"), responseBody: k("response"), finishedAt: k("now") })
      .where(and(byKey, eq(keys.claimId, k("claimId")), isNull(keys.responseBody))),
  ),
});

/** Stores the answer of claim `claimId` (the first one stored wins). */
export async function storeResponse(
  db: Db,
  req: KeyedRequest,
  claimId: string,
  response: StoredResponse,
  now: number,
) {
  await db.write(storeBatch, {
    ...keyValues({ ...req, claimId }, now),
    k_status: response.status,
    k_response: response.body,
  });
}

const finishBatch = defineWrite({
  finish: change((b) =>
    b
      .update(keys)
      .set({ finishedAt: k("now") })
      .where(and(byKey, eq(keys.claimId, k("claimId")), isNull(keys.finishedAt))),
  ),
});

/**
 * Marks this attempt's claim finished without an answer, if it exists: the
 * write committed (or not) but its answer is lost, so a retry must rebuild
 * it from the committed state at once instead of waiting.
 */
export async function markFinished(db: Db, req: KeyedRequest, now: number) {
  await db.write(finishBatch, keyValues(req, now));
}

const refusedBatch = defineWrite({
  free: freeExpired,
  insert: change((b) => b.insert(keys).select(newRecord(sql`1`)).onConflictDoNothing()),
});

/**
 * Records the answer to a write that did not apply (a taken plan code, a
 * missing group): nothing was claimed, but the request did run, so retries
 * replay it. A key taken in the meantime keeps its own record.
 */
export async function recordRefusal(
  db: Db,
  req: KeyedRequest,
  response: StoredResponse,
  now: number,
) {
  await db.write(refusedBatch, {
    ...keyValues(req, now),
    k_status: response.status,
    k_response: response.body,
    k_resourceId: null,
    k_finishedAt: now,
  });
}

const purgeBatch = defineWrite({
  purge: change((b) =>
    b
      .delete(keys)
      .where(
        sql`rowid IN (SELECT rowid FROM ${keys} WHERE ${keys.createdAt} < ${param("cutoff")} LIMIT ${param("chunk")})`,
      ),
  ),
});

/** Deletes up to `chunk` records created before `cutoff`; returns how many. */
export async function deleteExpiredChunk(db: Db, cutoff: number, chunk: number) {
  const { purge } = await db.write(purgeBatch, { cutoff, chunk });
  return purge;
}
