/**
 * The wire generations this service speaks, oldest first, picked per request
 * by the `Commet-Version` header (else the organization's pin, else current).
 */
export const API_VERSIONS = ["2026-07-11", "2026-07-31"] as const;

export type ApiVersion = (typeof API_VERSIONS)[number];

/** What a request without a header or pin gets, and what a new organization is pinned to. */
export const CURRENT_VERSION: ApiVersion = "2026-07-31";

/** Organizations that had keys before versions shipped are pinned here by the backfill. */
export const LEGACY_VERSION: ApiVersion = "2026-07-11";

export const isApiVersion = (value: string): value is ApiVersion =>
  (API_VERSIONS as readonly string[]).includes(value);

/** KV key of an organization's pinned version, beside the API key records. */
export const pinKvKey = (orgId: string) => `orgversion:${orgId}`;
