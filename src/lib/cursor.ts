import type { Tenant } from "../env";
import { ApiError } from "../errors";
import { base64UrlDecode, base64UrlEncode, sha256Hex } from "./encoding";
import { ID_PATTERN } from "./ids";

/**
 * A cursor is the last ID of a page plus a check bound to the tenant, so a
 * cursor edited by hand or produced by another organization or mode is
 * rejected instead of silently paging through something else. Queries are
 * tenant-scoped anyway: the check is about clear errors, not secrecy.
 */
const VERSION = 1;

async function check(tenant: Tenant, resource: string, after: string): Promise<string> {
  const hex = await sha256Hex(`${VERSION}|${tenant.orgId}|${tenant.mode}|${resource}|${after}`);
  return hex.slice(0, 16);
}

export async function encodeCursor(tenant: Tenant, resource: string, after: string) {
  return base64UrlEncode(JSON.stringify([VERSION, after, await check(tenant, resource, after)]));
}

/** The ID to continue after, or a 400 naming `cursor`. */
export async function decodeCursor(tenant: Tenant, resource: string, cursor: string) {
  const invalid = () =>
    ApiError.validation([{ field: "cursor", message: "is not a cursor returned by this list" }]);
  const text = base64UrlDecode(cursor);
  if (text === null) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || parsed.length !== 3) throw invalid();
  const [version, after, sum] = parsed;
  if (version !== VERSION || typeof after !== "string" || !ID_PATTERN.test(after)) throw invalid();
  if (sum !== (await check(tenant, resource, after))) throw invalid();
  return after;
}

/**
 * Shapes a page from `limit + 1` rows: the extra row says whether another
 * page exists without a count query. `nextCursor` is present only with `hasMore`.
 */
export async function pageOf<T extends { id: string }>(
  tenant: Tenant,
  resource: string,
  rows: T[],
  limit: number,
) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  if (rows.length <= limit || last === undefined) return { items, hasMore: false as const };
  return {
    items,
    hasMore: true as const,
    nextCursor: await encodeCursor(tenant, resource, last.id),
  };
}
