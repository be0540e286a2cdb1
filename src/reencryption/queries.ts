import { and, asc, gt, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/database";
import { webhookEndpoints as endpoints, idempotencyKeys as keys } from "../db/schema";
import { readState, saveState } from "../db/service-state";
import { change, defineRead, defineWrite, param } from "../db/statements";
import type { Mode } from "../tenant";

/**
 * What the re-encryption asks of D1: it walks each table by its primary key
 * (never a whole table in one statement) and rewrites a value only where it
 * is still the one it read, in the same batch that moves its position
 * forward (service_state).
 */

const STATE = "reencryption";

/** The position the last run stored (JSON), or null. */
export const readPosition = (db: Db) => readState(db, STATE);

type SealedSecret = { id: string; orgId: string; mode: Mode; secret: string };

const secretsAfter = defineRead(
  { id: endpoints.id, orgId: endpoints.orgId, mode: endpoints.mode, secret: endpoints.secret },
  (from) =>
    from()
      .from(endpoints)
      .where(gt(endpoints.id, param("after")))
      .orderBy(asc(endpoints.id))
      .limit(sql.placeholder("limit")),
);

/** Up to `limit` endpoints after `after`, by id: their secrets as stored. */
export async function secretsAfterId(db: Db, after: string, limit: number) {
  return db.read(secretsAfter, { after, limit });
}

type SealedResponse = {
  rowid: number;
  orgId: string;
  mode: Mode;
  key: string;
  /** The stored answer when it is sealed; null for a plain one (never read in full). */
  body: string | null;
};

const responsesAfter = defineRead(
  {
    rowid: sql<number>`${keys}.rowid`,
    orgId: keys.orgId,
    mode: keys.mode,
    key: keys.key,
    body: sql<
      string | null
    >`CASE WHEN ${keys.responseBody} LIKE 'enc:%' THEN ${keys.responseBody} END`,
  },
  (from) =>
    from()
      .from(keys)
      .where(sql`${keys}.rowid > ${param("after")}`)
      .orderBy(sql`${keys}.rowid`)
      .limit(sql.placeholder("limit")),
);

/** Up to `limit` Idempotency-Key records after `after` (their rowid, the table has no other key). */
export async function responsesAfterRowid(db: Db, after: number, limit: number) {
  return (await db.read(responsesAfter, { after, limit })) as SealedResponse[];
}

const rewriteSecrets = change((b) =>
  b
    .update(endpoints)
    .set({ secret: sql`r.sealed` })
    .from(
      sql`(SELECT json_extract(value, '$.id') AS id, json_extract(value, '$.orgId') AS org_id,
        json_extract(value, '$.mode') AS mode, json_extract(value, '$.from') AS was,
        json_extract(value, '$.to') AS sealed FROM json_each(${param("rows")})) AS r`,
    )
    .where(
      and(
        sql`${endpoints.id} = r.id`,
        sql`${endpoints.orgId} = r.org_id AND ${endpoints.mode} = r.mode`,
        sql`${endpoints.secret} = r.was`,
      ) as SQL,
    ),
);

const rewriteResponses = change((b) =>
  b
    .update(keys)
    .set({ responseBody: sql`r.sealed` })
    .from(
      sql`(SELECT json_extract(value, '$.rowid') AS rid, json_extract(value, '$.orgId') AS org_id,
        json_extract(value, '$.mode') AS mode, json_extract(value, '$.key') AS k,
        json_extract(value, '$.from') AS was, json_extract(value, '$.to') AS sealed
        FROM json_each(${param("rows")})) AS r`,
    )
    .where(
      and(
        sql`${keys}.rowid = r.rid`,
        sql`${keys.orgId} = r.org_id AND ${keys.mode} = r.mode AND ${keys.key} = r.k`,
        sql`${keys.responseBody} = r.was`,
      ) as SQL,
    ),
);

const secretsChunk = defineWrite({ rewritten: rewriteSecrets, position: saveState });
const responsesChunk = defineWrite({ rewritten: rewriteResponses, position: saveState });

/** A value read, and what replaces it if it is still the same. */
type Rewrite<Row> = Row & { from: string; to: string };

/** Rewrites the endpoints' secrets that did not change since read, and stores the next position. */
export async function rewriteSecretsChunk(
  db: Db,
  rows: Rewrite<Omit<SealedSecret, "secret">>[],
  next: string,
  now: number,
): Promise<number> {
  const values = { rows: JSON.stringify(rows), name: STATE, value: next, now };
  return (await db.write(secretsChunk, values)).rewritten;
}

/** Rewrites the stored answers that did not change since read, and stores the next position. */
export async function rewriteResponsesChunk(
  db: Db,
  rows: Rewrite<Omit<SealedResponse, "body">>[],
  next: string,
  now: number,
): Promise<number> {
  const values = { rows: JSON.stringify(rows), name: STATE, value: next, now };
  return (await db.write(responsesChunk, values)).rewritten;
}
