import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { createDb, type Database } from "../db/client";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { type ClaimingDb, claimingDb } from "../idempotency/claiming-db";
import {
  findKeyRecord,
  type KeyedRequest,
  recordRefusedWrite,
  releaseClaim,
  storeResponse,
} from "../idempotency/queries";
import { sha256Hex } from "../lib/encoding";

export const IDEMPOTENCY_HEADER = "Idempotency-Key";
const KEYED_METHODS = new Set(["POST", "PUT", "PATCH"]);
const VALID_KEY = /^[\x20-\x7E]{1,255}$/;

/** What a retry of an already-used key gets: a replay, or a 409. */
async function answerForTakenKey(primary: Database, request: KeyedRequest): Promise<never> {
  const record = await findKeyRecord(primary, request, Date.now());
  // Gone between the failed claim and this read: its first request died with
  // a 5xx (claim released) or it just expired. Retrying is safe either way.
  if (!record) throw new ApiError("idempotency_in_progress");
  const same =
    record.method === request.method &&
    record.path === request.path &&
    record.bodyHash === request.bodyHash;
  if (!same) {
    throw new ApiError("idempotency_key_mismatch", {
      details: { method: record.method, path: record.path },
    });
  }
  if (record.statusCode === null || record.responseBody === null) {
    throw new ApiError("idempotency_in_progress");
  }
  // A ready-made response: the root onError returns it as it is.
  throw new HTTPException(record.statusCode as ContentfulStatusCode, {
    res: new Response(record.responseBody, {
      status: record.statusCode,
      headers: { "content-type": "application/json", "Idempotent-Replayed": "true" },
    }),
  });
}

/**
 * What to remember once the response is known: a committed claim gets the
 * response, or is freed after a 5xx (never stored, so it can be retried); a
 * write the database refused gets its 4xx recorded. Null: nothing to do.
 */
function settleRecord(
  c: Context<AppEnv>,
  primary: Database,
  request: KeyedRequest,
  claim: ClaimingDb,
): Promise<void> | null {
  const status = c.res.status;
  const claimedAt = claim.claimedAt();
  const sent = () => c.res.clone().text();
  if (claimedAt !== null) {
    if (status >= 500) return releaseClaim(primary, request, claimedAt);
    return sent().then((body) => storeResponse(primary, request, claimedAt, { status, body }));
  }
  if (claim.writeRefused() && status < 500) {
    return sent().then((body) =>
      recordRefusedWrite(primary, request, Date.now(), { status, body }),
    );
  }
  return null;
}

function keyFrom(c: Context<AppEnv>): string | undefined {
  const key = c.req.header(IDEMPOTENCY_HEADER);
  if (key === undefined || VALID_KEY.test(key)) return key;
  throw ApiError.validation([
    { field: IDEMPOTENCY_HEADER, message: "must be 1-255 printable ASCII characters" },
  ]);
}

/**
 * Idempotency-Key for POST, PUT and PATCH. No round trip of its own on the
 * normal path: the key is claimed inside the handler's write batch (see
 * claimingDb), and the response is stored after it has been sent. Only a
 * retry of a used key pays one extra read. A request that never writes
 * (failed validation, empty update) claims nothing and stores nothing: a
 * retry simply runs it again. Both bookkeeping writes after the handler run
 * in waitUntil, off the response's path.
 */
export function idempotency() {
  return createMiddleware<AppEnv>(async (c, next) => {
    if (!KEYED_METHODS.has(c.req.method)) return next();
    const key = keyFrom(c);
    if (key === undefined) return next();

    const request: KeyedRequest = {
      tenant: c.var.tenant,
      key,
      method: c.req.method,
      path: c.req.path,
      bodyHash: await sha256Hex(await c.req.arrayBuffer()),
    };
    // Bookkeeping goes to the primary, never to a possibly stale replica.
    const primary = createDb(c.env.DB);
    const claim = claimingDb(c.var.db, request, () => answerForTakenKey(primary, request));
    c.set("db", claim.db);

    await next();

    const settle = settleRecord(c, primary, request, claim);
    if (!settle) return;
    c.executionCtx.waitUntil(
      settle.catch((err: unknown) => {
        console.error(
          JSON.stringify({
            level: "error",
            requestId: c.get("requestId"),
            message: "idempotency record not settled",
            error: err instanceof Error ? err.message : String(err),
          }),
        );
      }),
    );
  });
}
