import { API_VERSIONS, CURRENT_VERSION } from "../versions/ids";

/** `x-api-key` is the primary scheme; Bearer carries the same key for tools that only speak it. */
export const SECURITY_SCHEMES = {
  ApiKey: {
    type: "apiKey" as const,
    in: "header" as const,
    name: "x-api-key",
    description:
      "A secret key: `ck_test_...` for test mode, `ck_live_...` for live mode. The key decides the organization and mode of everything you read and write. Keys are created with `npm run key:create`.",
  },
  Bearer: {
    type: "http" as const,
    scheme: "bearer",
    bearerFormat: "ck_test_... or ck_live_...",
    description: "The same API key as `Authorization: Bearer ck_...`.",
  },
};

const integer = { type: "integer" as const, minimum: 0 };

export const HEADERS = {
  CommetVersion: {
    description:
      "The API version that shaped this response (for a replay: the first attempt's version).",
    schema: { type: "string" as const, example: CURRENT_VERSION },
  },
  RequestId: {
    description:
      "Identifies this request in our logs; quote it when you contact support. Echoes a well-formed inbound `x-request-id`, otherwise `req_` followed by 32 hex digits.",
    schema: { type: "string" as const, example: "req_3f9a1c0e8b7d4e2fa6c5b4d3e2f1a0b9" },
  },
  IdempotentReplayed: {
    description:
      "`true` when this response is a replay of the first request sent with the same `Idempotency-Key`; the write was not applied again. Absent otherwise.",
    schema: { type: "string" as const, enum: ["true"] },
  },
  D1Bookmark: {
    description:
      "The database state this response reflects. Send it back as `x-d1-bookmark` on your next read to let a nearby replica answer with at least that state. Reads without one go to the primary database.",
    schema: { type: "string" as const },
  },
  RetryAfter: {
    description: "Seconds to wait before retrying.",
    schema: { ...integer, example: 12 },
  },
  RateLimitLimit: {
    description: "Requests this key may make per window.",
    schema: { ...integer, example: 600 },
  },
  RateLimitRemaining: {
    description: "Requests left in the current window.",
    schema: { ...integer, example: 0 },
  },
  RateLimitReset: {
    description: "Seconds until the current window ends and the allowance is restored.",
    schema: { ...integer, example: 12 },
  },
};

export const PARAMETERS = {
  IdempotencyKey: {
    name: "Idempotency-Key",
    in: "header" as const,
    required: false,
    description:
      "Makes a retry safe: for 24 hours, a request with the same key, method, path and body gets the first response again (with `Idempotent-Replayed: true`) instead of being applied twice. Reusing a key for a different request is a 409 `idempotency_key_mismatch`. Use a fresh UUID per logical write, such as `5d1c2a9e-3b4f-4c6d-8e7f-9a0b1c2d3e4f`.",
    // No example: Scalar's request client would pre-fill it, so a second Send
    // would replay the first response.
    schema: {
      type: "string" as const,
      minLength: 1,
      maxLength: 255,
      pattern: "^[\\x20-\\x7E]+$",
    },
  },
  CommetVersion: {
    name: "Commet-Version",
    in: "header" as const,
    required: false,
    description:
      "The API version that shapes this request's responses. Without it, the organization's pinned version, else the current one. A version not served is a 400 `validation_error` with `param: \"Commet-Version\"`. Every response says the version it used in `Commet-Version`.",
    // The current version first: Scalar's request client offers the first value.
    schema: {
      type: "string" as const,
      enum: [CURRENT_VERSION, ...API_VERSIONS.filter((v) => v !== CURRENT_VERSION)],
      example: CURRENT_VERSION,
    },
  },
  D1Bookmark: {
    name: "x-d1-bookmark",
    in: "header" as const,
    required: false,
    description:
      "The `x-d1-bookmark` of an earlier response. A read that sends it may be answered by a nearby replica that has at least the state that response saw (and, on a next page, at least the state of the page its cursor came from); without it, reads go to the primary, so you always see your own writes.",
    schema: { type: "string" as const, maxLength: 256 },
  },
  RequestId: {
    name: "x-request-id",
    in: "header" as const,
    required: false,
    description:
      "Your own ID for this request (1-128 characters of `A-Za-z0-9._-`), echoed in the response's `x-request-id` and our logs. Anything else is replaced by a generated ID. Example: `checkout-7f3a`.",
    // No example, so Scalar's request client does not send one fixed ID every time.
    schema: { type: "string" as const, pattern: "^[A-Za-z0-9._-]{1,128}$" },
  },
};
