import { secureHeaders } from "hono/secure-headers";

/**
 * Hono's secure headers, tightened for a JSON API: nothing of ours is meant to
 * be framed, and HSTS keeps every later call on HTTPS. No Content-Security-Policy
 * here because the HTML pages (error reference, docs) set their own needs;
 * `noStore` adds a deny-all policy to the API's JSON responses.
 */
export function securityHeaders() {
  return secureHeaders({
    xFrameOptions: "DENY",
    strictTransportSecurity: "max-age=31536000; includeSubDomains",
  });
}

const API_CSP = "default-src 'none'; frame-ancestors 'none'";

/**
 * API responses are per caller and change with every write, so no browser,
 * proxy or CDN may keep a copy, error responses included.
 */
export function noStore(headers: Headers) {
  headers.set("Cache-Control", "no-store");
  headers.set("Content-Security-Policy", API_CSP);
}

/** What Hono's `app.use("/api/*")` matches: the API's answers. */
export const isApiPath = (path: string) => path === "/api" || path.startsWith("/api/");
