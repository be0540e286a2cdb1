import { ApiError } from "../errors";
import type { Tenant } from "../tenant";
import { isBookmark } from "./bookmarks";
import { base64UrlDecode, base64UrlEncode, sha256Hex } from "./encoding";
import { ID_PATTERN } from "./ids";
import { DEFAULT_LIMIT } from "./openapi";

/**
 * A cursor is the last ID of a page, the D1 bookmark of the state that page
 * was read at (so the next page is read at least that fresh), and a check
 * bound to the tenant, so a cursor edited by hand or produced by another
 * organization or mode is rejected instead of silently paging through
 * something else. Queries are tenant-scoped anyway: the check is about clear
 * errors, not secrecy. Version 1 cursors (no bookmark) are still read.
 */
const VERSION = 2;

async function check(
  version: number,
  tenant: Tenant,
  resource: string,
  after: string,
  bookmark: string | null,
) {
  const fields = [version, tenant.orgId, tenant.mode, resource, after];
  if (version > 1) fields.push(bookmark ?? "");
  return (await sha256Hex(fields.join("|"))).slice(0, 16);
}

async function encodeCursor(
  tenant: Tenant,
  resource: string,
  after: string,
  bookmark: string | null,
) {
  const sum = await check(VERSION, tenant, resource, after, bookmark);
  return base64UrlEncode(JSON.stringify([VERSION, after, bookmark, sum]));
}

/** The cursor's fields if it is shaped like one of ours; its check is not verified here. */
function parse(cursor: string) {
  const text = base64UrlDecode(cursor);
  if (text === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (!Array.isArray(parsed)) return null;
  if (parsed.length === 3 && parsed[0] === 1) {
    const [version, after, sum] = parsed;
    return { version, after, bookmark: null, sum };
  }
  if (parsed.length === 4 && parsed[0] === VERSION) {
    const [version, after, bookmark, sum] = parsed;
    if (bookmark !== null && !isBookmark(bookmark)) return null;
    return { version, after, bookmark: bookmark as string | null, sum };
  }
  return null;
}

/** The ID to continue after, or a 400 naming `cursor`. */
export async function decodeCursor(tenant: Tenant, resource: string, cursor: string) {
  const fields = parse(cursor);
  if (!fields || typeof fields.after !== "string" || !ID_PATTERN.test(fields.after)) {
    throw invalidCursor();
  }
  const { version, after, bookmark, sum } = fields;
  if (sum !== (await check(version, tenant, resource, after, bookmark))) throw invalidCursor();
  return after;
}

const invalidCursor = () =>
  ApiError.validation([{ field: "cursor", message: "is not a cursor returned by this list" }]);

/**
 * The bookmark a cursor carries, for choosing where the next page is read
 * before the handler runs; the handler still rejects a cursor that is not
 * valid for its list, before any query.
 */
export function cursorBookmark(cursor: string): string | null {
  return parse(cursor)?.bookmark ?? null;
}

/**
 * Shapes a page from `limit + 1` rows: the extra row says whether another
 * page exists without a count query. `nextCursor` is present only with
 * `hasMore`, and carries `bookmark`, the state this page was read at
 * (`c.var.bookmark()` after the query).
 */
async function pageOf<T extends { id: string }>(
  tenant: Tenant,
  resource: string,
  rows: T[],
  limit: number,
  bookmark: string | null,
) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  if (rows.length <= limit || last === undefined) return { items, hasMore: false as const };
  return {
    items,
    hasMore: true as const,
    nextCursor: await encodeCursor(tenant, resource, last.id, bookmark),
  };
}

/**
 * One page of a list, the way every list answers: decodes the cursor (a 400
 * when it is not one of this list's), fetches `limit + 1` rows after it, and
 * shapes the page, its cursor carrying the state the rows were read at.
 */
export async function paginate<T extends { id: string }>(
  tenant: Tenant,
  scope: string,
  query: { limit?: number; cursor?: string },
  bookmark: () => string | null,
  fetch: (page: { after: string | null; limit: number }) => Promise<T[]>,
) {
  const limit = query.limit ?? DEFAULT_LIMIT;
  const after = query.cursor ? await decodeCursor(tenant, scope, query.cursor) : null;
  const rows = await fetch({ after, limit: limit + 1 });
  return pageOf(tenant, scope, rows, limit, bookmark());
}
