import { swaggerUI } from "@hono/swagger-ui";
import { type Context, Hono } from "hono";
import type { AppEnv } from "../env";
import { DOCS_CSS, DOCS_JS } from "./docs-assets";
import { renderDocsPage } from "./docs-page";
import { ApiError } from "../errors";
import { errorDocsBase } from "../lib/doc-url";
import { type ApiVersion, CURRENT_VERSION, isApiVersion } from "../versions/ids";
import { openApiDocument } from "./openapi";

const SELF_ONLY_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
// Swagger UI is the optional, online-only view: its bundle and inline boot script come from the CDN page.
const SWAGGER_CSP =
  "default-src 'none'; script-src 'unsafe-inline' https://cdn.jsdelivr.net; style-src 'unsafe-inline' https://cdn.jsdelivr.net; connect-src 'self'; img-src 'self' data: https:; base-uri 'none'; frame-ancestors 'none'";

/**
 * Public documentation routes: the OpenAPI document of `root`, the reference
 * page rendered from it, and Swagger UI. They sit outside /api, so no key is needed.
 */
export function docsRouter() {
  const documentFor = (c: Context<AppEnv>, version: ApiVersion = CURRENT_VERSION) =>
    openApiDocument(version, {
      serverUrl: new URL(c.req.url).origin,
      errorDocsBase: errorDocsBase(c),
    });
  const serveDocument = (c: Context<AppEnv>, version: ApiVersion) => {
    // Anyone may load the documents into their own tools, from any origin.
    c.header("access-control-allow-origin", "*");
    c.header("cache-control", "public, max-age=300");
    return c.body(JSON.stringify(documentFor(c, version)), 200, {
      "content-type": "application/json",
    });
  };
  const asset = (type: string, body: string) => (c: Context<AppEnv>) =>
    c.body(body, 200, { "content-type": type, "cache-control": "public, max-age=300" });
  return new Hono<AppEnv>()
    .get("/openapi.json", (c) => serveDocument(c, CURRENT_VERSION))
    .get("/openapi/:file", (c) => {
      const version = c.req.param("file").replace(/\.json$/, "");
      if (!c.req.param("file").endsWith(".json") || !isApiVersion(version)) {
        throw new ApiError("not_found", { message: "No document for this API version." });
      }
      return serveDocument(c, version);
    })
    .get("/docs", (c) => {
      c.header("content-security-policy", SELF_ONLY_CSP);
      return c.html(renderDocsPage(documentFor(c)));
    })
    .get("/docs/assets/docs.css", asset("text/css; charset=utf-8", DOCS_CSS))
    .get("/docs/assets/docs.js", asset("text/javascript; charset=utf-8", DOCS_JS))
    .get(
      "/docs/swagger",
      async (c, next) => {
        await next();
        c.res.headers.set("content-security-policy", SWAGGER_CSP);
      },
      swaggerUI({ url: "/openapi.json", title: "Plan groups API · Swagger UI" }),
    );
}
