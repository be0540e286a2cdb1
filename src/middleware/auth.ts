import type { Context } from "hono";
import { REFUSALS, readCredential } from "../auth/credentials";
import { countFailure, refuseIfBlocked } from "../auth/failure-throttle";
import { cachedKey, fetchKey } from "../auth/key-cache";
import type { AppEnv, Auth } from "../env";
import { ApiError } from "../errors";
import { isExpired } from "../lib/api-keys";
import type { Tenant } from "../tenant";

type KnownKey = NonNullable<ReturnType<typeof cachedKey>>;
type Principal = { auth: Auth; tenant: Tenant };

/** What a known key grants, built once per cached key rather than once per request. */
const principals = new WeakMap<KnownKey, Principal>();

function principalOf(known: KnownKey): Principal {
  let principal = principals.get(known);
  if (!principal) {
    const { record } = known;
    principal = {
      auth: {
        keyId: record.id,
        orgId: record.orgId,
        livemode: record.mode === "live",
        tier: record.tier,
        expiresAt: record.expiresAt === null ? null : Date.parse(record.expiresAt),
        managesAll: known.operator,
      },
      tenant: { orgId: record.orgId, mode: record.mode },
    };
    principals.set(known, principal);
  }
  return principal;
}

/**
 * Resolves the API key to `auth` and `tenant` (also set on the context), or
 * throws 401. A key this isolate already knows costs nothing. Anything else
 * first checks that the client address is not throttled for failing too
 * often, so a throttled guesser costs no hashing and no KV read.
 */
export async function authenticate(c: Context<AppEnv>): Promise<Principal> {
  const credential = readCredential((name) => c.req.header(name));
  let known = credential.kind === "key" ? cachedKey(credential.key) : undefined;
  if (!known) {
    refuseIfBlocked(c.env, c.req.header("cf-connecting-ip"));
    if (credential.kind === "key") {
      known = (await fetchKey(c.env.API_KEYS, credential.key, c.get("requestId"))) ?? undefined;
    }
  }
  if (
    credential.kind !== "key" ||
    !known ||
    known.record.mode !== credential.mode ||
    isExpired(known.record)
  ) {
    await countFailure(c.env, c.req.header("cf-connecting-ip"), c.get("requestId"));
    throw new ApiError("unauthorized", { message: REFUSALS[credential.kind] });
  }
  const principal = principalOf(known);
  c.set("auth", principal.auth);
  c.set("tenant", principal.tenant);
  return principal;
}
