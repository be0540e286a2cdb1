import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { requestedVersion, VERSION_HEADER } from "../versions/resolve";
import { drainUnreadBody } from "./body-guard";
import { isApiPath, noStore, securityHeaders } from "./hardening";
import { logRequest, requestLogsOn } from "./logger";
import { requestIdFrom } from "./request-id";

/**
 * Around every request, as one layer: its id and version first (error
 * answers are shaped by them too); once the answer is final, whatever it is,
 * the headers every answer carries, the log line, and the drain of a body
 * nobody read. The order headers are set in is not the order on the wire:
 * the runtime writes them sorted by name.
 */
export function edge() {
  const secure = securityHeaders();
  return createMiddleware<AppEnv>(async (c, next) => {
    const id = requestIdFrom(c.req.header("x-request-id"));
    c.set("requestId", id);
    c.set("version", requestedVersion(c));
    const started = requestLogsOn(c) ? Date.now() : null;
    // Hono's secure headers go on once the rest of the app has answered.
    await secure(c, next);
    if (isApiPath(c.req.path)) noStore(c.res.headers);
    if (started !== null) logRequest(c, started);
    await drainUnreadBody(c);
    c.res.headers.set(VERSION_HEADER, c.get("version"));
    c.res.headers.set("x-request-id", id);
  });
}
