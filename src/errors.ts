import type { ContentfulStatusCode } from "hono/utils/http-status";

type ErrorSpec = {
  status: ContentfulStatusCode;
  type: string;
  /** Default message sent to the client. */
  message: string;
  /** What the code means, for the error reference. */
  meaning: string;
  /** What a client should do about it, for the error reference. */
  action: string;
};

/**
 * The one error table. It drives the envelope, the OpenAPI error responses and
 * the error reference page, so a code cannot exist in one and not the others.
 */
export const ERRORS = {
  validation_error: {
    status: 400,
    type: "validation_error",
    message: "The request is invalid.",
    meaning: "A parameter, query value or body field failed validation.",
    action:
      "Read `details`: each entry names the field (`field`, a dotted path) and what is wrong with it. Fix the request; retrying it unchanged fails again.",
  },
  invalid_json: {
    status: 400,
    type: "validation_error",
    message: "The request body must be a JSON object.",
    meaning:
      "The body could not be parsed as JSON, or it parsed to something other than an object.",
    action: "Send a JSON object (`{ ... }`) encoded as UTF-8.",
  },
  unauthorized: {
    status: 401,
    type: "authentication_error",
    message: "Provide a valid API key in the x-api-key header.",
    meaning: "The API key is missing, malformed, unknown, expired or revoked.",
    action:
      "Send `x-api-key: ck_test_...` (or `Authorization: Bearer ck_...`) with an active key. Create one with `npm run key:create`.",
  },
  forbidden: {
    status: 403,
    type: "authentication_error",
    message: "This API key may not manage that key.",
    meaning:
      "A key made over the API manages only itself and the keys it made, directly or through them; the key named is another one of the organization and mode.",
    action:
      "Use a key made by the operator (`npm run key:create`), or the key that made this one (or one that made that), to manage it.",
  },
  not_found: {
    status: 404,
    type: "not_found_error",
    message: "No such route.",
    meaning: "No route matches this path.",
    action: "Check the path against the API reference; every route lives under `/api/v1`.",
  },
  plan_group_not_found: {
    status: 404,
    type: "not_found_error",
    message: "No such plan group.",
    meaning:
      "The plan group does not exist in this organization and mode (IDs from another organization or mode answer the same way).",
    action:
      "Check the ID and that the API key's mode (test or live) matches the one the group was created in.",
  },
  plan_not_found: {
    status: 404,
    type: "not_found_error",
    message: "No such plan.",
    meaning:
      "The plan does not exist in this organization and mode, was deleted, or (when removing) is not in this group.",
    action: "Check the ID and the API key's mode. Deleted plans cannot be read or grouped.",
  },
  api_key_not_found: {
    status: 404,
    type: "not_found_error",
    message: "No such API key.",
    meaning: "The API key ID does not exist in this organization and mode, or the key was deleted.",
    action: "List the keys with `GET /api/v1/api-keys` and check the ID and the mode of your key.",
  },
  webhook_not_found: {
    status: 404,
    type: "not_found_error",
    message: "No such webhook endpoint.",
    meaning: "The webhook endpoint does not exist in this organization and mode, or was deleted.",
    action: "List the endpoints with `GET /api/v1/webhooks` and check the ID and your key's mode.",
  },
  event_not_found: {
    status: 404,
    type: "not_found_error",
    message: "No such event.",
    meaning:
      "The event does not exist in this organization and mode, or is older than 30 days (events are kept for 30 days).",
    action:
      "List the events with `GET /api/v1/events` and check the ID and your key's mode. Test sends are not events: find them in the endpoint's deliveries.",
  },
  webhook_delivery_not_found: {
    status: 404,
    type: "not_found_error",
    message: "No such delivery.",
    meaning:
      "The delivery does not exist for this webhook endpoint in this organization and mode, or is older than 30 days (deliveries are kept for 30 days).",
    action:
      "List the endpoint's deliveries with `GET /api/v1/webhooks/{id}/deliveries` and check both IDs and your key's mode.",
  },
  method_not_allowed: {
    status: 405,
    type: "invalid_request_error",
    message: "This method is not allowed on this route.",
    meaning: "The path exists but does not accept this HTTP method.",
    action: "Use one of the methods listed in the `Allow` response header.",
  },
  duplicate: {
    status: 409,
    type: "conflict_error",
    message: "This would create a duplicate.",
    meaning:
      "A plan code is already used by a live plan, or a plan is already in a group (a plan belongs to at most one group).",
    action:
      "Pick another code, or remove the plan from its current group before adding it to another.",
  },
  limit_exceeded: {
    status: 409,
    type: "conflict_error",
    message: "A plan group holds at most 100 plans.",
    meaning:
      "A limit is reached: a plan group holds at most 100 plans, an organization and mode at most 100 API keys and 16 webhook endpoints.",
    action: "Remove something first (a plan from the group, an old key, an unused endpoint).",
  },
  idempotency_key_mismatch: {
    status: 409,
    type: "conflict_error",
    message: "This Idempotency-Key was used with a different request.",
    meaning: "Within 24 hours the same Idempotency-Key was sent with another method, path or body.",
    action:
      "Use a new Idempotency-Key for every distinct request; reuse a key only to retry the identical request.",
  },
  idempotency_in_progress: {
    status: 409,
    type: "conflict_error",
    message: "A request with this Idempotency-Key is still being processed.",
    meaning: "The first request with this key has not finished yet.",
    action:
      "Wait the seconds in `Retry-After` and retry with the same key; you will get the first request's response.",
  },
  endpoint_inactive: {
    status: 409,
    type: "conflict_error",
    message: "This webhook endpoint is inactive.",
    meaning:
      "Retrying a delivery or recovering events needs an active endpoint; this one was deactivated (by you, or after failing for 72 hours).",
    action:
      "Fix the receiver, reactivate the endpoint (`PATCH /api/v1/webhooks/{id}` with `isActive: true`), then retry or recover: reactivating replays nothing by itself.",
  },
  payload_too_large: {
    status: 413,
    type: "invalid_request_error",
    message: "The request body is larger than 64 KiB.",
    meaning: "Request bodies are limited to 65536 bytes.",
    action: "Send a smaller body.",
  },
  unsupported_media_type: {
    status: 415,
    type: "invalid_request_error",
    message: "Send the body as JSON with Content-Type: application/json.",
    meaning: "A POST, PUT or PATCH arrived without a JSON content type.",
    action: "Set `Content-Type: application/json` and send a JSON object.",
  },
  rate_limited: {
    status: 429,
    type: "rate_limit_error",
    message: "Too many requests for this API key.",
    meaning:
      "The key used up its request allowance for the current window, or this client address failed authentication too often (more than 100 times in 60 s).",
    action:
      "Wait the number of seconds in `Retry-After`, then retry. Spread requests out or ask for a higher tier; check the API key you send.",
  },
  internal_error: {
    status: 500,
    type: "api_error",
    message: "Something went wrong on our side.",
    meaning:
      "An unexpected error. Nothing about it is sent to the client; it is logged with the request id.",
    action:
      "Retry with backoff (with the same Idempotency-Key for writes). If it persists, contact support with the `x-request-id`.",
  },
  idempotency_unavailable: {
    status: 500,
    type: "api_error",
    message:
      "The outcome of the first request with this Idempotency-Key cannot be told right now. Retry with the same key.",
    meaning:
      "The service could not decide what a request with this Idempotency-Key did: its record could not be read, its answer cannot be rebuilt, or its stored answer (one holding a secret) cannot be decrypted. The message says whether retrying with the same key will help.",
    action:
      "Do what the message says: retry with the same key (never with a new one, which could apply the write twice), or, when it says the write was applied, read the object's current state instead.",
  },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERRORS;

export const ERROR_CODES = Object.keys(ERRORS) as ErrorCode[];

export type FieldIssue = { field: string; message: string };

type ErrorDetails = FieldIssue[] | Record<string, unknown> | null;

/** Thrown by handlers and middleware; the app's onError renders the envelope. */
export class ApiError extends Error {
  readonly code: ErrorCode;
  readonly param: string | null;
  readonly details: ErrorDetails;
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    opts: {
      message?: string;
      param?: string;
      details?: ErrorDetails;
      headers?: Record<string, string>;
    } = {},
  ) {
    super(opts.message ?? ERRORS[code].message);
    this.name = "ApiError";
    this.code = code;
    this.param = opts.param ?? null;
    this.details = opts.details ?? null;
    this.headers = opts.headers ?? {};
  }

  get status(): ContentfulStatusCode {
    return ERRORS[this.code].status;
  }

  /** A validation error built from field issues: `param` is the first field, unless named. */
  static validation(issues: FieldIssue[], param = issues[0]?.field): ApiError {
    return new ApiError("validation_error", {
      message: issues.map((i) => (i.field ? `${i.field}: ${i.message}` : i.message)).join("; "),
      ...(param !== undefined ? { param } : {}),
      details: issues,
    });
  }
}

/** The absolute reference page of `code`, under `docsBase` (the worker serves it at /errors). */
export const docUrlFor = (docsBase: string, code: ErrorCode) =>
  `${docsBase.replace(/\/+$/, "")}/${code}`;

/** The `error` object every version's error body carries. */
export function errorObject(err: ApiError, docUrl: string) {
  return {
    type: ERRORS[err.code].type as string,
    code: err.code,
    message: err.message,
    param: err.param,
    details: err.details,
    doc_url: docUrl,
  };
}
