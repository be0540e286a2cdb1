import type { Context } from "hono";
import type { AppEnv } from "../env";

/** The error and its causes: drizzle wraps the D1 error that says what went wrong. */
function describeError(err: unknown): unknown {
  if (!(err instanceof Error)) return String(err);
  return {
    name: err.name,
    message: err.message,
    stack: err.stack,
    cause: err.cause === undefined ? undefined : describeError(err.cause),
  };
}

/**
 * One JSON log line: of background work (cron jobs, the webhook consumer),
 * or of a request where no Hono context is at hand (then `fields` carry its
 * requestId). Only IDs, counts and short texts: never a secret, never a payload.
 */
export function logLine(
  level: "info" | "warn" | "error",
  message: string,
  fields: Record<string, unknown> = {},
  err?: unknown,
) {
  const line = JSON.stringify({
    level,
    message,
    ...fields,
    ...(err === undefined ? {} : { error: describeError(err) }),
  });
  if (level === "info") console.log(line);
  else console.error(line);
}

/** One JSON error line with the request id; the client never sees any of it. */
export function logError(c: Context<AppEnv>, message: string, err: unknown) {
  logLine(
    "error",
    message,
    { requestId: c.get("requestId"), method: c.req.method, path: c.req.path },
    err,
  );
}
