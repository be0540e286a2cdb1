import type { Context } from "hono";
import type { AppEnv } from "../env";
import { isBookmark, laterBookmark } from "../lib/bookmarks";
import { cursorBookmark } from "../lib/cursor";

const BOOKMARK_HEADER = "x-d1-bookmark";

/**
 * Where a request's D1 session starts. Writes: the primary. Reads: the
 * primary too, unless the client sent an `x-d1-bookmark`; then any replica at
 * least that fresh, and at least as fresh as the page its cursor came from,
 * so a walk through pages never goes back in time. A client that never sends
 * a bookmark (the SDKs) therefore always reads its own writes.
 *
 * A bookmark this isolate remembered per tenant would not do: it covers only
 * the writes that went through this isolate, and a client's next request
 * often lands on another one.
 */
export function sessionStart(method: string, bookmark: string | undefined, cursor?: string) {
  const isRead = method === "GET" || method === "HEAD";
  // A malformed bookmark is ignored rather than passed to D1, which would fail the request for it.
  if (!isRead || !isBookmark(bookmark)) return "first-primary";
  return laterBookmark(bookmark, cursor ? cursorBookmark(cursor) : null);
}

/**
 * The request's D1 session (see sessionStart); its bookmark so far is the
 * request's `bookmark`. The cursor matters only to a read sent with a
 * bookmark, so the query string is parsed for it only then.
 */
export function openSession(c: Context<AppEnv>): D1DatabaseSession {
  const bookmark = c.req.header(BOOKMARK_HEADER);
  const cursor = bookmark === undefined ? undefined : c.req.query("cursor");
  const session = c.env.DB.withSession(sessionStart(c.req.method, bookmark, cursor));
  c.set("bookmark", () => session.getBookmark());
  return session;
}

/** Every response carries the session's bookmark for the client to send back. */
export function sendBookmark(c: Context<AppEnv>, session: D1DatabaseSession) {
  const latest = session.getBookmark();
  if (latest) c.res.headers.set(BOOKMARK_HEADER, latest);
}
