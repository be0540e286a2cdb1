import { describe, expect, it } from "vitest";
import { LOADER_SCRIPT, SCALAR_SCRIPT } from "../../src/docs/docs-page";
import { PAGE_CSP } from "../../src/docs/html";
import { API_VERSIONS, CURRENT_VERSION } from "../../src/versions/ids";
import { type ApiResponse, call } from "../helpers/http";

// What renders is tested in Chromium (test/browser/docs.browser.ts): Scalar is
// a static asset the platform serves, which this pool does not.

type Source = { title: string; slug: string; url: string };

const scripts = (html: string) => [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
const outsideUrls = (html: string) => html.match(/(?:src|href)="(?:https?:)?\/\/[^"]+"/g) ?? [];

function configurationOf(res: ApiResponse): Record<string, unknown> & { sources: Source[] } {
  const attribute = res.text.match(/<div id="scalar" data-configuration="([^"]*)"/);
  if (!attribute?.[1]) throw new Error(`no Scalar configuration in ${res.text}`);
  const json = attribute[1].replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
  return JSON.parse(json);
}

describe("GET /docs", () => {
  it("is a shell that loads Scalar and its loader from this origin, with no inline script", async () => {
    const res = await call("GET", "/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    const tags = scripts(res.text);
    expect(tags.map(([, attributes]) => attributes)).toEqual([
      ` src="${SCALAR_SCRIPT}"`,
      ` src="${LOADER_SCRIPT}"`,
    ]);
    for (const [, , body] of tags) expect(body).toBe("");
    expect(outsideUrls(res.text)).toEqual([]);
  });

  it("allows scripts, data and requests from this origin only", async () => {
    const csp = (await call("GET", "/docs")).headers.get("content-security-policy") ?? "";
    const directives = Object.fromEntries(
      csp.split(";").map((d) => {
        const [name = "", ...values] = d.trim().split(/\s+/);
        return [name, values.join(" ")];
      }),
    );
    expect(directives).toEqual({
      "default-src": "'none'",
      "script-src": "'self'",
      "style-src": "'self' 'unsafe-inline'",
      "connect-src": "'self'",
      "img-src": "'self' data:",
      "base-uri": "'none'",
      "form-action": "'none'",
      "frame-ancestors": "'none'",
    });
  });

  it("lists every API version's document, the current one first", async () => {
    const { sources } = configurationOf(await call("GET", "/docs"));
    expect(sources.map((s) => s.slug)).toEqual([
      CURRENT_VERSION,
      ...API_VERSIONS.filter((v) => v !== CURRENT_VERSION).reverse(),
    ]);
    expect(sources[0]).toEqual({
      title: `${CURRENT_VERSION} (current)`,
      slug: CURRENT_VERSION,
      url: "/openapi.json",
    });
    for (const source of sources.slice(1)) {
      expect(source.url).toBe(`/openapi/${source.slug}.json`);
    }
  });

  it("turns off whatever would leave this origin", async () => {
    const configuration = configurationOf(await call("GET", "/docs"));
    expect(configuration).toMatchObject({
      withDefaultFonts: false,
      telemetry: false,
      showDeveloperTools: "never",
      hideClientButton: true,
      agent: { disabled: true },
    });
    // Without a proxy the request client calls the API itself, never Scalar's proxy.
    expect(configuration).not.toHaveProperty("proxyUrl");
    expect(configuration).not.toHaveProperty("proxy");
  });

  it("leaves the scripts to the platform's static assets", async () => {
    for (const script of [SCALAR_SCRIPT, LOADER_SCRIPT]) {
      expect((await call("GET", script)).status, script).toBe(404);
    }
    for (const gone of ["/docs/swagger", "/docs/assets/docs.css", "/docs/assets/docs.js"]) {
      expect((await call("GET", gone)).status, gone).toBe(404);
    }
  });

  it("answers other methods with 405", async () => {
    const res = await call("POST", "/docs", { body: {} });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD");
  });
});

describe("GET /", () => {
  it("points a browser to the reference, the document and the errors", async () => {
    const res = await call("GET", "/");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("content-security-policy")).toBe(PAGE_CSP);
    for (const href of ["/docs", "/openapi.json", "/errors"]) {
      expect(res.text).toContain(`<a href="${href}">`);
    }
    expect(scripts(res.text)).toEqual([]);
    expect(outsideUrls(res.text)).toEqual([]);
  });

  it("answers other methods with 405", async () => {
    const res = await call("POST", "/", { body: {} });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD");
  });
});
