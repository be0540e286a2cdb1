import type { Context } from "hono";
import type { AppEnv } from "../env";

/**
 * Where the error reference lives: `ERROR_DOCS_BASE_URL` on a deployment,
 * else this request's own origin (so `npm run dev -- --port 8790` links to
 * pages that exist).
 */
export function errorDocsBase(c: Context<AppEnv>): string {
  const configured = c.env.ERROR_DOCS_BASE_URL?.trim();
  return configured ? configured : `${new URL(c.req.url).origin}/errors`;
}
