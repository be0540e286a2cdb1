import { VERSIONS } from "../versions";
import { CURRENT_VERSION } from "../versions/ids";
import type { Version } from "../versions/types";

/**
 * The introduction of the API reference: the document's `info.description`,
 * which the /docs page renders above the operations. Markdown.
 */

const INTRO =
  "Plan groups organize the plans of a billing catalog into ordered sets (for example the plans shown on a pricing page).";

const AUTHENTICATION =
  "**Authentication.** Send an API key in `x-api-key` (or as `Authorization: Bearer ck_...`). A `ck_test_` key works on test-mode objects and a `ck_live_` key on live-mode ones; each organization and mode is a separate world, and an ID from another one answers 404.";

const REST = [
  "**Requests.** Bodies are JSON objects sent with `Content-Type: application/json`, at most 64 KiB; unknown fields are rejected so typos surface. A path that does not exist answers 404 `not_found`, and a path that exists with another method 405 `method_not_allowed` with an `Allow` header.",
  "**Pagination.** `limit` (1-100, default 20) and `cursor` (the previous page's `nextCursor`). Lists are newest first.",
  "**Idempotency.** POST, PUT and PATCH accept an `Idempotency-Key`. Retrying with the same key within 24 hours replays the first response (with `Idempotent-Replayed: true`) instead of applying the write twice.",
  "**Rate limits.** Each key has an allowance per window (600 requests per 60 s on the standard tier). Past it, requests get 429 `rate_limited` with `Retry-After`. A client address that fails authentication more than 100 times in 60 s gets the same 429 until the window ends.",
  "**Request IDs.** Every response carries `x-request-id`; quote it when you contact support.",
];

/** How the documents of a version say which version they are, and where the others are. */
function versionParagraph(version: Version) {
  const others = Object.values(VERSIONS)
    .filter((v) => v !== version)
    .map((v) => `[${v.id}](/openapi/${v.id}.json)`)
    .join(", ");
  return `**API version ${version.id}.** Send \`Commet-Version: ${version.id}\` to get these shapes (without the header: your organization's pinned version, else the current one, ${CURRENT_VERSION}). Every response names its version in \`Commet-Version\`. The paths of the other versions (${others}) are served too and act the same; only the shapes of the bodies differ.`;
}

/** The introduction as a given wire generation's document tells it. */
export const describeVersion = (version: Version) =>
  [INTRO, AUTHENTICATION, versionParagraph(version), version.envelope, ...REST].join("\n\n");
