import type { Context } from "hono";
import { Db } from "../db/database";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { decrypt, EncryptionError, isEncrypted, sealedFor } from "../lib/crypto";
import { logError } from "../lib/log";
import { isApiVersion, LEGACY_VERSION } from "../versions/ids";
import type { KeyTaken } from "./claim";
import {
  findKeyRecord,
  IN_FLIGHT_MS,
  type KeyedRequest,
  type KeyRecord,
  storeResponse,
} from "./records";

const inProgress = () =>
  new ApiError("idempotency_in_progress", { headers: { "Retry-After": "1" } });

/** The service cannot tell what the first attempt did; `retry` says whether the same key will help. */
function unavailable(retry: boolean) {
  return new ApiError(
    "idempotency_unavailable",
    retry
      ? {}
      : {
          message:
            "The request with this Idempotency-Key was applied, but its answer cannot be rebuilt: the object has changed since. Do not retry with this key; read the object's current state instead.",
        },
  );
}

/**
 * A stored answer that holds a secret and cannot be decrypted. The write was
 * applied; whether a retry helps depends on why: a key the service lacks
 * can be restored, a damaged value cannot.
 */
function undecryptable(err: EncryptionError) {
  const restorable = err.failure !== "not_authentic" && err.failure !== "not_encrypted";
  return new ApiError("idempotency_unavailable", {
    message: restorable
      ? "The request with this Idempotency-Key was applied, but its stored answer cannot be decrypted: the service lacks the key that encrypted it, which the operator must restore. Retry later with this same key (never a new one: that would apply the write again)."
      : "The request with this Idempotency-Key was applied, but its stored answer cannot be decrypted: it is damaged. Do not retry with this key; read the object's current state instead (the secret it held cannot be shown again).",
  });
}

async function replay(
  c: Context<AppEnv>,
  request: KeyedRequest,
  record: KeyRecord & { responseBody: string },
) {
  const body = isEncrypted(record.responseBody)
    ? await decrypt(c.env, sealedFor.storedResponse(request), record.responseBody)
    : record.responseBody;
  return new Response(body, {
    status: record.statusCode ?? 200,
    headers: { "content-type": "application/json", "Idempotent-Replayed": "true" },
  });
}

/**
 * The answer to a request whose Idempotency-Key is taken: the first answer
 * replayed; 409 while the first attempt may still be running (or while the
 * rebuild finds its work still under way, and says so); else (the
 * claim proves the write was applied) an answer rebuilt from what was
 * committed, by the operation's `rebuild`. Never the write a second time.
 * Replays and rebuilds are shaped by the first attempt's API version.
 */
export async function answerTakenKey(
  c: Context<AppEnv>,
  taken: KeyTaken,
  rebuild: (resourceId: string | null) => Promise<Response | null>,
): Promise<Response> {
  const request = c.var.idempotency;
  if (!request) throw new Error("a key was taken without an Idempotency-Key");
  const primary = new Db(c.env.DB);
  let record = taken.record;
  if (!record) {
    try {
      record = await findKeyRecord(primary, request, Date.now());
    } catch (err) {
      logError(c, "idempotency record unreadable", err);
      throw unavailable(true);
    }
  }
  // Gone since the batch saw it: it expired, and a retry runs the request afresh.
  if (!record) throw inProgress();
  if (
    record.method !== request.method ||
    record.path !== request.path ||
    record.bodyHash !== request.bodyHash
  ) {
    throw new ApiError("idempotency_key_mismatch", {
      details: { method: record.method, path: record.path },
    });
  }
  // Records from before API versions were all answered in 2026-07-11.
  c.set(
    "version",
    record.version && isApiVersion(record.version) ? record.version : LEGACY_VERSION,
  );
  const stored = record.responseBody;
  if (record.statusCode !== null && stored !== null) {
    try {
      return await replay(c, request, { ...record, responseBody: stored });
    } catch (err) {
      logError(c, "stored idempotent response unreadable", err);
      throw err instanceof EncryptionError ? undecryptable(err) : unavailable(false);
    }
  }
  if (record.finishedAt === null && Date.now() - record.createdAt < IN_FLIGHT_MS) {
    throw inProgress();
  }
  let res: Response | null;
  try {
    res = await rebuild(record.resourceId);
  } catch (err) {
    // The rebuild found the first attempt's work may still be under way (a test send's POST).
    if (err instanceof ApiError && err.code === "idempotency_in_progress") throw err;
    logError(c, "idempotent answer not rebuilt", err);
    throw unavailable(true);
  }
  if (!res) throw unavailable(false);
  res.headers.set("Idempotent-Replayed", "true");
  const claimId = record.claimId;
  if (claimId) {
    const body = await res.clone().text();
    c.executionCtx.waitUntil(
      storeResponse(primary, request, claimId, { status: res.status, body }, Date.now()).catch(
        (err: unknown) => logError(c, "rebuilt idempotent response not stored", err),
      ),
    );
  }
  return res;
}
