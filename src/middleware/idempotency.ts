import type { Context } from "hono";
import { Db } from "../db/database";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { KeyClaim } from "../idempotency/claim";
import { markFinished, recordRefusal, storeResponse } from "../idempotency/records";
import { sha256Hex } from "../lib/encoding";
import { logError } from "../lib/log";
import type { Tenant } from "../tenant";

const IDEMPOTENCY_HEADER = "Idempotency-Key";
const KEYED_METHODS = new Set(["POST", "PUT", "PATCH"]);
const VALID_KEY = /^[\x20-\x7E]{1,255}$/;

function keyFrom(c: Context<AppEnv>): string | undefined {
  const key = c.req.header(IDEMPOTENCY_HEADER);
  if (key === undefined || VALID_KEY.test(key)) return key;
  throw ApiError.validation([
    { field: IDEMPOTENCY_HEADER, message: "must be 1-255 printable ASCII characters" },
  ]);
}

/**
 * What to remember once the answer is known. A 5xx after a write was sent
 * marks its claim finished before the answer goes out (the write may have
 * committed: the SDK's retry, one second later, then gets the rebuilt answer
 * at once). Otherwise, after the answer: a claimed write stores it; a write
 * that applied nothing records it, so retries replay it. An answer given
 * because another request held the key (its replay, a 409) is left alone:
 * recorded, a 409 given as the record expired would hold the key for a day.
 */
export async function settleClaim(c: Context<AppEnv>, claim: KeyClaim) {
  if (!claim.attempted || claim.taken || c.res.headers.has("Idempotent-Replayed")) return;
  const primary = new Db(c.env.DB);
  const request = claim.request;
  const status = c.res.status;
  if (status >= 500) {
    await markFinished(primary, request, Date.now()).catch((err: unknown) =>
      logError(c, "idempotency claim not marked finished", err),
    );
    return;
  }
  if (claim.answered) return;
  const body = await c.res.clone().text();
  const now = Date.now();
  const work =
    claim.state === "claimed"
      ? storeResponse(primary, request, request.claimId, { status, body }, now).catch(
          async (err: unknown) => {
            logError(c, "idempotent response not stored", err);
            // Without its answer, a finished claim is still answered at once, rebuilt.
            await markFinished(primary, request, Date.now());
          },
        )
      : recordRefusal(primary, request, { status, body }, now);
  c.executionCtx.waitUntil(
    work.catch((err: unknown) => logError(c, "idempotency record not settled", err)),
  );
}

/**
 * Idempotency-Key for POST, PUT and PATCH. No round trip of its own on the
 * normal path: the key is claimed inside the request's first write batch
 * (src/idempotency/claim.ts), only when the write applies, and the answer is
 * stored after it was sent. A retry of a used key pays one extra read
 * (src/idempotency/retry.ts). A request that never writes (failed
 * validation, empty update) claims and stores nothing.
 *
 * The request's claim, or null (another method, or no key); a malformed key
 * is a 400. The claim joins the request's database (src/middleware/api.ts),
 * and `settleClaim` (above) runs once the answer is known.
 */
export async function claimOf(c: Context<AppEnv>, tenant: Tenant): Promise<KeyClaim | null> {
  if (!KEYED_METHODS.has(c.req.method)) return null;
  const key = keyFrom(c);
  if (key === undefined) return null;
  const claim = new KeyClaim({
    tenant,
    key,
    method: c.req.method,
    path: c.req.path,
    bodyHash: await sha256Hex(await c.req.arrayBuffer()),
    version: c.get("version"),
    claimId: crypto.randomUUID(),
  });
  c.set("idempotency", claim.request);
  return claim;
}
