import { createMiddleware } from "hono/factory";
import { Db } from "../db/database";
import type { AppEnv } from "../env";
import { logError } from "../lib/log";
import { touchKey } from "./queries";

/** A key's `lastUsedAt` is written at most this often per isolate. */
const LAST_USED_EVERY_MS = 60_000;
const MAX_TRACKED = 1000;
const written = new Map<string, number>();

/**
 * Notes that the key was used, after the response (`waitUntil`) and at most
 * once a minute per key per isolate, so it costs the request nothing.
 */
export function recordKeyUse() {
  return createMiddleware<AppEnv>(async (c, next) => {
    await next();
    const { keyId } = c.var.auth;
    const now = Date.now();
    if ((written.get(keyId) ?? 0) > now - LAST_USED_EVERY_MS) return;
    written.delete(keyId);
    if (written.size >= MAX_TRACKED) written.delete(written.keys().next().value as string);
    written.set(keyId, now);
    c.executionCtx.waitUntil(
      touchKey(new Db(c.env.DB), c.var.tenant, keyId, now).catch((err: unknown) =>
        logError(c, "lastUsedAt not written", err),
      ),
    );
  });
}

/** For tests: forget when keys were last noted. */
export function clearKeyUse() {
  written.clear();
}
