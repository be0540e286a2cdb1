import { API_VERSIONS, CURRENT_VERSION } from "../versions/ids";
import { esc } from "./html";

/** Scalar's standalone build, served by Workers Static Assets (see scripts/docs-assets.ts). */
export const SCALAR_SCRIPT = "/docs/scalar.js";

/**
 * Mounts Scalar with the page's configuration; served beside it as a static
 * asset. Scalar 1.46's HTML API (`<script id="api-reference"
 * data-configuration>`) reads a single document and drops `sources`, so the
 * page calls `Scalar.createApiReference` itself, on an element with another id.
 */
export const LOADER_SCRIPT = "/docs/load.js";
export const LOADER = `const mount = document.getElementById("scalar");
Scalar.createApiReference(mount, JSON.parse(mount.dataset.configuration));
`;

/** The document of each API version, the current one first: Scalar opens it and offers the others. */
const DOCUMENT_SOURCES = [
  CURRENT_VERSION,
  ...API_VERSIONS.filter((v) => v !== CURRENT_VERSION).reverse(),
].map((version) => ({
  title: version === CURRENT_VERSION ? `${version} (current)` : version,
  slug: version,
  url: version === CURRENT_VERSION ? "/openapi.json" : `/openapi/${version}.json`,
}));

/**
 * Scalar's settings, as its 1.46 release names them (pinned in package.json:
 * the last release that supports Node 20). Everything that would reach outside
 * this origin is off: its CDN fonts, telemetry, the developer toolbar and the
 * "Open API Client" button (both lead to Scalar's cloud) and the AI agent
 * (applied to every source). No `proxyUrl`, so the request client calls the
 * API directly (same origin), never through Scalar's public proxy. A key typed
 * into the client stays in the tab's memory (`persistAuth: false`), never in
 * local storage.
 */
const CONFIGURATION = {
  sources: DOCUMENT_SOURCES,
  withDefaultFonts: false,
  telemetry: false,
  showDeveloperTools: "never",
  agent: { disabled: true },
  defaultOpenAllTags: true,
  hideClientButton: true,
  persistAuth: false,
};

/**
 * Scripts only from this origin. Styles also inline: Scalar injects its
 * stylesheet and theme as `<style>` elements at run time, and without
 * 'unsafe-inline' Chromium blocks them (inline style cannot run code).
 * `connect-src 'self'` covers loading the documents and the request client's
 * calls; `data:` images are the SVG icons inside Scalar's stylesheet. No
 * fonts at all: the default fonts come from Scalar's CDN, so they are off.
 */
export const DOCS_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/**
 * The /docs page: a shell that Scalar fills from the OpenAPI documents. Its
 * configuration rides in a data attribute of the element Scalar mounts on, so
 * the page has no inline script.
 */
export const DOCS_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Plan groups API reference</title>
</head><body>
<noscript>The reference needs JavaScript. The raw document is at <a href="/openapi.json">/openapi.json</a>, the error codes at <a href="/errors">/errors</a>.</noscript>
<div id="scalar" data-configuration="${esc(JSON.stringify(CONFIGURATION))}"></div>
<script src="${SCALAR_SCRIPT}"></script>
<script src="${LOADER_SCRIPT}"></script>
</body></html>`;
