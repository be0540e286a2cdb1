import { and, eq, gte, isNull, lt, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { idempotencyKeys } from "../db/schema";
import type { Tenant } from "../env";

/** A key is remembered this long; an older record counts as absent. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** What a keyed request is compared on: a retry must match all of it. */
export type KeyedRequest = {
  tenant: Tenant;
  key: string;
  method: string;
  path: string;
  bodyHash: string;
};

export type KeyRecord = typeof idempotencyKeys.$inferSelect;

const byKey = (req: KeyedRequest) =>
  and(
    eq(idempotencyKeys.orgId, req.tenant.orgId),
    eq(idempotencyKeys.mode, req.tenant.mode),
    eq(idempotencyKeys.key, req.key),
  );

/** The exact claim row, so a late write never touches a newer claim of the same key. */
const ourClaim = (req: KeyedRequest, claimedAt: number) =>
  and(byKey(req), eq(idempotencyKeys.createdAt, claimedAt));

const freeExpired = (db: Database, req: KeyedRequest, now: number) =>
  db
    .delete(idempotencyKeys)
    .where(and(byKey(req), lt(idempotencyKeys.createdAt, now - IDEMPOTENCY_TTL_MS)));

const newRecord = (
  req: KeyedRequest,
  now: number,
  response: { status: number; body: string } | null,
) => ({
  orgId: req.tenant.orgId,
  mode: req.tenant.mode,
  key: req.key,
  method: req.method,
  path: req.path,
  bodyHash: req.bodyHash,
  statusCode: response?.status ?? null,
  responseBody: response?.body ?? null,
  createdAt: now,
});

/**
 * The statements a claiming batch starts with. A plain INSERT (no ON
 * CONFLICT): a key already held fails the whole batch, so the handler's write
 * never runs twice. The DELETE first frees a key whose record expired but was
 * not purged yet, which would otherwise collide on the unique index.
 */
export function claimStatements(db: Database, req: KeyedRequest, now: number) {
  return [
    freeExpired(db, req, now),
    db.insert(idempotencyKeys).values(newRecord(req, now, null)),
  ] as const;
}

/**
 * Records the answer to a write the database refused (a taken plan code): the
 * claim went down with the write, but the request did run, so retries replay it.
 * A key taken in the meantime keeps its own record.
 */
export async function recordRefusedWrite(
  db: Database,
  req: KeyedRequest,
  now: number,
  response: { status: number; body: string },
): Promise<void> {
  await db.batch([
    freeExpired(db, req, now),
    db
      .insert(idempotencyKeys)
      .values(newRecord(req, now, response))
      .onConflictDoNothing(),
  ]);
}

export async function findKeyRecord(
  db: Database,
  req: KeyedRequest,
  now: number,
): Promise<KeyRecord | null> {
  const [row] = await db
    .select()
    .from(idempotencyKeys)
    .where(and(byKey(req), gte(idempotencyKeys.createdAt, now - IDEMPOTENCY_TTL_MS)));
  return row ?? null;
}

export async function storeResponse(
  db: Database,
  req: KeyedRequest,
  claimedAt: number,
  response: { status: number; body: string },
): Promise<void> {
  await db.batch([
    db
      .update(idempotencyKeys)
      .set({ statusCode: response.status, responseBody: response.body })
      .where(ourClaim(req, claimedAt)),
  ]);
}

/** Frees the key after a 5xx, so the client can retry with it. */
export async function releaseClaim(
  db: Database,
  req: KeyedRequest,
  claimedAt: number,
): Promise<void> {
  await db.batch([
    db
      .delete(idempotencyKeys)
      .where(and(ourClaim(req, claimedAt), isNull(idempotencyKeys.statusCode))),
  ]);
}

/**
 * Deletes up to `chunk` records created before `cutoff`; returns how many.
 * Chunked through rowid so one run never holds the database for long.
 */
export async function deleteExpiredChunk(
  db: Database,
  cutoff: number,
  chunk: number,
): Promise<number> {
  const [result] = await db.batch([
    db
      .delete(idempotencyKeys)
      .where(
        sql`rowid IN (SELECT rowid FROM ${idempotencyKeys} WHERE ${idempotencyKeys.createdAt} < ${cutoff} LIMIT ${chunk})`,
      ),
  ]);
  return result.meta.changes;
}
