import { describeError } from "../lib/log";

/**
 * One JSON log line of background webhook work (there is no request to hang
 * it on). Only IDs, counts and short texts: never a secret, never a payload.
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
