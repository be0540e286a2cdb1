import type { Bindings, Tenant } from "../env";
import type { StoredEvent } from "../events/present";
import { recordAttempt, type Settlement } from "../history/deliveries";
import type { EndpointTarget } from "../history/hand-off";
import type { Stores } from "../history/stores";
import { decrypt, EncryptionError, sealedFor } from "../lib/crypto";
import { newId } from "../lib/ids";
import { logLine } from "../lib/log";
import { recordHealth } from "./health-queries";
import { buildPayload, payloadVersion } from "./payload";
import { type PostOutcome, postEvent } from "./post";
import { afterFailure, afterOwnFailure, DEACTIVATE_AFTER_MS } from "./schedule";
import { deliveryHeaders } from "./sign";
import { refuseToSend } from "./url";

/** One attempt of one delivery: its number is already claimed (or, for a test send, recorded). */
export type AttemptInput = {
  tenant: Tenant;
  deliveryId: string;
  /** 1 for the first attempt. */
  attempt: number;
  /** Where the delivery's retry window started (its creation, or a recover). */
  windowStart: number;
  endpoint: EndpointTarget;
  event: StoredEvent;
};

type AttemptResult = {
  ok: boolean;
  /** When the POST started. */
  attemptedAt: number;
  settlement: Settlement;
  /** For a delivery left pending: seconds until its next attempt. */
  retryInSeconds: number | null;
};

type Prepared = { url: string; body: string; headers: Record<string, string> };

/** What the attempt's `error` says when the service failed itself (the merchant reads it). */
function ownFailure(err: unknown): string {
  if (!(err instanceof EncryptionError)) {
    return "not sent: the service could not build or sign this event's payload";
  }
  const cannot = "not sent: the service cannot decrypt this endpoint's signing secret";
  switch (err.failure) {
    case "missing":
      return `${cannot} (ENCRYPTION_KEY is not set)`;
    case "malformed":
      return `${cannot} (ENCRYPTION_KEY is malformed)`;
    case "unknown_key":
      return `${cannot} (key id ${err.keyId} is not in ENCRYPTION_KEY/ENCRYPTION_KEYS_PREVIOUS)`;
    default:
      return `${cannot} (it does not authenticate: altered, or not sealed for this endpoint)`;
  }
}

/** One error line per attempt the service failed itself: an operator must fix the cause. */
function logOwnFailure(input: AttemptInput, cause: string, err?: unknown) {
  logLine("error", "webhook not sent: the service's own failure", { ...ids(input), cause }, err);
}

/** The signed request, or why the service could not make it (its own failure, never the endpoint's). */
async function prepare(env: Bindings, input: AttemptInput): Promise<Prepared | { error: string }> {
  try {
    const version = await payloadVersion(
      env.API_KEYS,
      input.tenant.orgId,
      input.endpoint.apiVersion,
    );
    const body = buildPayload(input.event, version);
    const { id, secret: sealed } = input.endpoint;
    const secret = await decrypt(env, sealedFor.endpointSecret(id), sealed);
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = await deliveryHeaders(secret, input.event.id, timestamp, body);
    return { url: input.endpoint.url, body, headers };
  } catch (err) {
    const error = ownFailure(err);
    logOwnFailure(input, error, err);
    return { error };
  }
}

const ids = (input: AttemptInput) => ({
  orgId: input.tenant.orgId,
  eventId: input.event.id,
  deliveryId: input.deliveryId,
  endpointId: input.endpoint.id,
  attempt: input.attempt,
});

/**
 * Signs and POSTs the event, records the attempt and what becomes of the
 * delivery: succeeded; pending with its next attempt scheduled (`retries`);
 * or failed, given up. The endpoint's health follows its answers: a success
 * clears its run of failures, a failure extends it, and a run of
 * DEACTIVATE_AFTER_MS deactivates it. A request the service could not even
 * build (no key, a secret it cannot decrypt, an unreadable event) is
 * recorded as a failed attempt that says why, never counts against the
 * endpoint, and is retried (never given up for it) until the cause is fixed.
 * A target that is, or now resolves to, a forbidden address (./url.ts) is
 * not sent either: a failed attempt with the reason, whose `Fault` decides
 * the rest. A lookup that failed on the service's side (the DoH service is
 * down, or WEBHOOK_DOH_URL is wrong) is the service's own failure like the
 * others; a SERVFAIL (a broken zone, or the resolver) counts against no one
 * but is given up with the window; any other refusal is the endpoint's.
 */
export async function attemptDelivery(
  env: Bindings,
  stores: Stores,
  input: AttemptInput,
  options: { timeoutMs: number; retries: boolean },
): Promise<AttemptResult> {
  const prepared = await prepare(env, input);
  // Vetted again at every POST: a host name can change its address after create.
  const refused =
    "error" in prepared ? null : await refuseToSend(env, prepared.url, input.tenant.mode);
  if (refused?.fault === "service") logOwnFailure(input, refused.error);
  const ownFault = "error" in prepared || refused?.fault === "service";
  const attemptedAt = Date.now();
  const outcome: PostOutcome =
    "error" in prepared
      ? { ok: false, statusCode: null, durationMs: 0, error: prepared.error, excerpt: null }
      : refused
        ? { ok: false, statusCode: null, durationMs: 0, error: refused.error, excerpt: null }
        : await postEvent(prepared.url, prepared.body, prepared.headers, options.timeoutMs);
  const done = Date.now();
  let settlement: Settlement;
  let retryInSeconds: number | null = null;
  if (outcome.ok) settlement = { status: "succeeded", completedAt: done };
  else {
    const next = !options.retries
      ? ({ giveUp: true } as const)
      : ownFault
        ? afterOwnFailure(input.attempt, done)
        : afterFailure(input.windowStart, input.attempt, done);
    if (next.giveUp) settlement = { status: "failed", completedAt: done };
    else {
      settlement = { status: "pending", nextAttemptAt: next.nextAttemptAt };
      retryInSeconds = next.delaySeconds;
    }
  }
  const record = {
    id: newId("what"),
    deliveryId: input.deliveryId,
    endpointId: input.endpoint.id,
    eventId: input.event.id,
    attempt: input.attempt,
    statusCode: outcome.statusCode,
    durationMs: outcome.durationMs,
    error: outcome.error,
    responseExcerpt: outcome.excerpt,
    createdAt: attemptedAt,
  };
  // The two databases share no transaction: the attempt first, then the
  // endpoint's health (a lost health update costs one streak count at most).
  await recordAttempt(stores.history, input.tenant, record, settlement);
  const countsAgainstEndpoint = !ownFault && (refused === null || refused.fault === "endpoint");
  const { deactivated } = countsAgainstEndpoint
    ? await recordHealth(stores.catalog, input.tenant, {
        endpointId: input.endpoint.id,
        ok: outcome.ok,
        attemptedAt,
        failingBefore: done - DEACTIVATE_AFTER_MS,
      })
    : { deactivated: false };
  if (!outcome.ok) {
    const fields = { ...ids(input), statusCode: outcome.statusCode, error: outcome.error };
    if (settlement.status === "failed" && options.retries) {
      logLine("warn", "webhook delivery given up", fields);
    } else logLine("info", "webhook attempt failed", { ...fields, retryInSeconds });
  }
  if (deactivated) {
    logLine(
      "warn",
      "webhook endpoint deactivated: every attempt failed for 72 hours, at least 10 in a row",
      {
        orgId: input.tenant.orgId,
        mode: input.tenant.mode,
        endpointId: input.endpoint.id,
      },
    );
  }
  return { ok: outcome.ok, attemptedAt, settlement, retryInSeconds };
}
