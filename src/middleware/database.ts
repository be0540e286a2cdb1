import { createMiddleware } from "hono/factory";
import { Db } from "../db/database";
import type { AppEnv } from "../env";

const BOOKMARK_HEADER = "x-d1-bookmark";
const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/;

/**
 * One Drizzle client per request over a D1 session. Reads may be served by a
 * nearby replica (`first-unconstrained`); writes go to the primary. A client
 * that sends back the `x-d1-bookmark` it was given reads at least that state,
 * so it always sees its own writes, whichever replica answers.
 */
export function database() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const bookmark = c.req.header(BOOKMARK_HEADER);
    const isRead = c.req.method === "GET" || c.req.method === "HEAD";
    // Writes always start at the primary. A malformed bookmark is ignored
    // rather than passed to D1, which would fail the request for it.
    const start = !isRead
      ? "first-primary"
      : bookmark && BOOKMARK.test(bookmark)
        ? bookmark
        : "first-unconstrained";
    const session = c.env.DB.withSession(start);
    c.set("db", new Db(session));
    await next();
    const latest = session.getBookmark();
    if (latest) c.res.headers.set(BOOKMARK_HEADER, latest);
  });
}
