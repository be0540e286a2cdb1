import type { Context } from "hono";
import type { AppEnv } from "../env";

/** The error and its causes: drizzle wraps the D1 error that says what went wrong. */
export function describeError(err: unknown): unknown {
  if (!(err instanceof Error)) return String(err);
  return {
    name: err.name,
    message: err.message,
    stack: err.stack,
    cause: err.cause === undefined ? undefined : describeError(err.cause),
  };
}

/** One JSON error line with the request id; the client never sees any of it. */
export function logError(c: Context<AppEnv>, message: string, err: unknown) {
  console.error(
    JSON.stringify({
      level: "error",
      message,
      requestId: c.get("requestId"),
      method: c.req.method,
      path: c.req.path,
      error: describeError(err),
    }),
  );
}
