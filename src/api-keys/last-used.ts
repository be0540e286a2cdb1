import type { Context } from "hono";
import { Db } from "../db/database";
import type { AppEnv } from "../env";
import { logError } from "../lib/log";
import type { Tenant } from "../tenant";
import { touchKey } from "./queries";

/** A key's `lastUsedAt` is written at most this often per isolate. */
const LAST_USED_EVERY_MS = 60_000;
const MAX_TRACKED = 1000;
const written = new Map<string, number>();

/**
 * Notes that the key was used, after the response (`waitUntil`) and at most
 * once a minute per key per isolate, so it costs the request nothing. Called
 * by the API pipeline (src/middleware/api.ts) once a request authenticated,
 * whatever its answer.
 */
export function noteKeyUse(c: Context<AppEnv>, keyId: string, tenant: Tenant) {
  const now = Date.now();
  if ((written.get(keyId) ?? 0) > now - LAST_USED_EVERY_MS) return;
  written.delete(keyId);
  if (written.size >= MAX_TRACKED) written.delete(written.keys().next().value as string);
  written.set(keyId, now);
  c.executionCtx.waitUntil(
    touchKey(new Db(c.env.DB), tenant, keyId, now).catch((err: unknown) =>
      logError(c, "lastUsedAt not written", err),
    ),
  );
}

/** For tests: forget when keys were last noted. */
export function clearKeyUse() {
  written.clear();
}
