import type { ApiVersion } from "../versions/ids";

/**
 * The introduction of the API reference: the document's `info.description`,
 * which the /docs page renders above the operations. Markdown.
 */

const INTRO =
  "Plan groups organize the plans of a billing catalog into ordered sets (for example the plans shown on a pricing page).";

const AUTHENTICATION =
  "**Authentication.** Send an API key in `x-api-key` (or as `Authorization: Bearer ck_...`). A `ck_test_` key works on test-mode objects and a `ck_live_` key on live-mode ones; each organization and mode is a separate world, and an ID from another one answers 404.";

/** The one paragraph that differs between wire generations. */
export const ENVELOPE: Record<ApiVersion, string> = {
  "2026-07-11":
    '**Envelope.** A success is `{ "success": true, "data": ... }`; lists add `hasMore` and, when it is true, `nextCursor`. An error is `{ "success": false, "error": { type, code, message, param, details, doc_url } }`: branch on `code`, and follow `doc_url` to the error reference at [/errors](/errors).',
  "2026-07-31":
    '**Responses.** A success is the object itself. A list is `{ "object": "list", "data": [...], "hasMore": ... }`, plus `nextCursor` when `hasMore` is true. An error is `{ "error": { type, code, message, param, details, doc_url } }`: branch on `code`, and follow `doc_url` to the error reference at [/errors](/errors).',
};

const REST = [
  "**Requests.** Bodies are JSON objects sent with `Content-Type: application/json`, at most 64 KiB; unknown fields are rejected so typos surface. A path that does not exist answers 404 `not_found`, and a path that exists with another method 405 `method_not_allowed` with an `Allow` header.",
  "**Pagination.** `limit` (1-100, default 20) and `cursor` (the previous page's `nextCursor`). Lists are newest first.",
  "**Idempotency.** POST, PUT and PATCH accept an `Idempotency-Key`. Retrying with the same key within 24 hours replays the first response (with `Idempotent-Replayed: true`) instead of applying the write twice.",
  "**Rate limits.** Each key has an allowance per window (600 requests per 60 s on the standard tier). Past it, requests get 429 `rate_limited` with `Retry-After`.",
  "**Request IDs.** Every response carries `x-request-id`; quote it when you contact support.",
];

/** The introduction as a given wire generation's document tells it. */
export const describeVersion = (version: ApiVersion) =>
  [INTRO, AUTHENTICATION, ENVELOPE[version], ...REST].join("\n\n");

/** What the served document, today that of 2026-07-11, says. */
export const DESCRIPTION = describeVersion("2026-07-11");
