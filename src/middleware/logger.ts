import type { Context } from "hono";
import type { AppEnv, Auth } from "../env";
import { matchedRoutePattern } from "../lib/matched-route";

/**
 * One JSON line per request for Workers Logs. Only identifiers and outcome:
 * never the API key, a header value or a body. Workers clocks advance only
 * across I/O, so `durationMs` measures time spent waiting on KV and D1, not CPU.
 * `REQUEST_LOGS = "off"` silences it: `wrangler dev` relays every line through
 * its own process, which costs more locally than Workers Logs does deployed.
 */
export const requestLogsOn = (c: Context<AppEnv>) => c.env.REQUEST_LOGS !== "off";

/** The request's line, once its answer is final; `started` is when it came in (epoch ms). */
export function logRequest(c: Context<AppEnv>, started: number) {
  // Unset when the request never authenticated.
  const auth: Auth | undefined = c.get("auth");
  console.log(
    JSON.stringify({
      level: "info",
      message: "request",
      requestId: c.get("requestId"),
      method: c.req.method,
      route: matchedRoutePattern(c),
      status: c.res.status,
      durationMs: Date.now() - started,
      keyId: auth?.keyId ?? null,
      orgId: auth?.orgId ?? null,
      livemode: auth ? auth.livemode : null,
    }),
  );
}
