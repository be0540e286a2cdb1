import { type Context, Hono } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { errorDocsBase } from "../lib/doc-url";
import { API_VERSIONS, type ApiVersion, CURRENT_VERSION, isApiVersion } from "../versions/ids";
import { DOCS_CSP, DOCS_PAGE } from "./docs-page";
import { PAGE_CSP, page } from "./html";
import { openApiDocument } from "./openapi";

const HOME = page({
  title: "Plan groups API",
  body: `<p>The plan groups service of the billing platform. Everything lives under <code>/api/v1</code> and needs an API key.</p>
<ul>
<li><a href="/docs">API reference</a>: every operation, with a request client to try them.</li>
<li><a href="/openapi.json">OpenAPI document</a> of the current API version (older ones under <code>/openapi/{version}.json</code>): for your own tools and client generators.</li>
<li><a href="/errors">Error reference</a>: what each error code means and what to do.</li>
</ul>`,
});

/**
 * Public documentation routes: a landing page, the OpenAPI document of `root`
 * and the reference page that renders it. They sit outside /api, so no key is
 * needed. The reference page's script is a static asset, not a route here.
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
  return new Hono<AppEnv>()
    .get("/", (c) => {
      c.header("content-security-policy", PAGE_CSP);
      return c.html(HOME);
    })
    .get("/openapi.json", (c) => serveDocument(c, CURRENT_VERSION))
    .get("/openapi/:file", (c) => {
      const version = c.req.param("file").replace(/\.json$/, "");
      if (!c.req.param("file").endsWith(".json") || !isApiVersion(version)) {
        throw noDocument(new URL(c.req.url).origin);
      }
      return serveDocument(c, version);
    })
    .get("/docs", (c) => {
      c.header("content-security-policy", DOCS_CSP);
      return c.html(DOCS_PAGE);
    });
}

/** An unknown version's document: the answer names the documents there are, with their URLs. */
function noDocument(origin: string) {
  const documents = API_VERSIONS.map((version) => ({
    version,
    url: `${origin}/openapi/${version}.json`,
  }));
  const list = documents.map((d) => `${d.version} (${d.url})`).join(", ");
  return new ApiError("not_found", {
    message: `No OpenAPI document for that API version. The documents: ${list}; ${origin}/openapi.json is the current one (${CURRENT_VERSION}).`,
    details: { documents },
  });
}
