import { ApiError, type ErrorCode } from "../errors";

// The 4xx Hono and its middleware throw as bare HTTPExceptions, as our codes:
// the media-type gate of @hono/zod-openapi (415), Hono's validator on a body
// that does not parse (400), body-limit (413).
const BY_STATUS: Partial<Record<number, ErrorCode>> = {
  400: "invalid_json",
  401: "unauthorized",
  404: "not_found",
  405: "method_not_allowed",
  413: "payload_too_large",
  415: "unsupported_media_type",
  429: "rate_limited",
};

/**
 * A framework 4xx as our error, rendered with the exception's own status, so
 * none can turn into a 500. A status the table has no code for (none is
 * thrown today) is closest to `validation_error`: the request as sent cannot
 * be served, and retrying it unchanged fails again.
 */
export function frameworkError(status: number): ApiError {
  const code = BY_STATUS[status];
  if (code) return new ApiError(code);
  return new ApiError("validation_error", {
    message: `The request cannot be served as sent (HTTP ${status}).`,
    details: [],
  });
}
