import { describe, expect, it } from "vitest";
import { operations } from "../../src/docs/decorate";
import { ERROR_CODES } from "../../src/errors";
import { call } from "../helpers/http";
import { fetchDocument } from "../helpers/openapi";

describe("GET /docs", () => {
  it("renders every operation of the document without an API key", async () => {
    const res = await call("GET", "/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    for (const { method, path, op } of operations(await fetchDocument())) {
      expect(res.text).toContain(`id="${op.operationId}"`);
      expect(res.text).toContain(`data-method="${method}" data-path="${path}"`);
    }
    for (const code of ERROR_CODES) expect(res.text).toContain(`href="/errors/${code}"`);
  });

  it("loads nothing from another origin", async () => {
    const res = await call("GET", "/docs");
    expect(res.headers.get("content-security-policy")).toContain("script-src 'self'");
    const external = res.text.match(/(?:src|href)="(?:https?:)?\/\/[^"]+"/g) ?? [];
    expect(external).toEqual([]);
  });

  it("serves its own stylesheet and script", async () => {
    const css = await call("GET", "/docs/assets/docs.css");
    expect(css.status).toBe(200);
    expect(css.headers.get("content-type")).toMatch(/^text\/css/);
    const js = await call("GET", "/docs/assets/docs.js");
    expect(js.status).toBe(200);
    expect(js.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(() => new Function(js.text)).not.toThrow();
  });

  it("offers Swagger UI on the same document for online readers", async () => {
    const res = await call("GET", "/docs/swagger");
    expect(res.status).toBe(200);
    expect(res.text).toContain("url: '/openapi.json'");
    expect(res.headers.get("content-security-policy")).toContain("https://cdn.jsdelivr.net");
  });

  it("answers other methods with 405", async () => {
    const res = await call("POST", "/docs", { body: {} });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("GET, HEAD");
  });
});
