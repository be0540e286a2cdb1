import { createMiddleware } from "hono/factory";
import { REFUSALS, readCredential } from "../auth/credentials";
import { countFailure, refuseIfBlocked } from "../auth/failure-throttle";
import { cachedKey, fetchKey } from "../auth/key-cache";
import type { AppEnv, Auth } from "../env";
import { ApiError } from "../errors";
import { isExpired } from "../lib/api-keys";

/**
 * Resolves the API key to `c.var.auth` and `c.var.tenant`, or throws 401.
 * A key this isolate already knows costs nothing. Anything else first checks
 * that the client address is not throttled for failing too often, so a
 * throttled guesser costs no hashing and no KV read.
 */
export function apiKeyAuth() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const credential = readCredential((name) => c.req.header(name));
    const address = c.req.header("cf-connecting-ip");
    let known = credential.kind === "key" ? cachedKey(credential.key) : undefined;
    if (!known) {
      refuseIfBlocked(c.env, address);
      if (credential.kind === "key") {
        known = (await fetchKey(c.env.API_KEYS, credential.key, c.var.requestId)) ?? undefined;
      }
    }
    if (
      credential.kind !== "key" ||
      !known ||
      known.record.mode !== credential.mode ||
      isExpired(known.record)
    ) {
      await countFailure(c.env, address, c.var.requestId);
      throw new ApiError("unauthorized", { message: REFUSALS[credential.kind] });
    }
    const { record } = known;
    const auth: Auth = {
      keyId: record.id,
      orgId: record.orgId,
      livemode: record.mode === "live",
      tier: record.tier,
      expiresAt: record.expiresAt === null ? null : Date.parse(record.expiresAt),
      managesAll: known.operator,
    };
    c.set("auth", auth);
    c.set("tenant", { orgId: record.orgId, mode: record.mode });
    await next();
  });
}
