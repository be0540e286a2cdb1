import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { PAGE_CSP } from "../../src/docs/html";
import { ERROR_CODES, ERRORS } from "../../src/errors";
import worker from "../../src/index";
import { type Body, call, client, expectError } from "../helpers/http";

const escaped = (s: string) =>
  s.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`).replace(/`([^`]+)`/g, "<code>$1</code>");

describe("error reference", () => {
  it("lists every code with its status, meaning and what to do", async () => {
    const res = await call("GET", "/errors");
    expect(res.status).toBe(200);
    for (const code of ERROR_CODES) {
      expect(res.text).toContain(`id="${code}"`);
      expect(res.text).toContain(escaped(ERRORS[code].meaning));
      expect(res.text).toContain(escaped(ERRORS[code].action));
    }
  });

  it("is self-contained: its own inline style, no script, nothing from elsewhere", async () => {
    for (const path of ["/errors", "/errors/not_found"]) {
      const res = await call("GET", path);
      expect(res.headers.get("content-security-policy"), path).toBe(PAGE_CSP);
      expect(res.text).toMatch(/<style>[^<]+<\/style>/);
      expect(res.text).not.toMatch(/<script|<link/);
      expect(res.text).toContain('<a href="/docs">');
    }
  });

  it("has a page per code", async () => {
    for (const code of ERROR_CODES) {
      const res = await call("GET", `/errors/${code}`);
      expect(res.status, code).toBe(200);
      expect(res.text).toContain(`HTTP ${ERRORS[code].status}`);
    }
    expectError(await call("GET", "/errors/no_such_code"), 404, "not_found", "code");
  });

  it("is where the doc_url of real error responses points", async () => {
    const api = await client();
    const responses = [
      await call("GET", "/api/v1/plan-groups"),
      await api.get("/nowhere"),
      await api.del("/plans"),
      await api.post("/plan-groups", { name: "" }),
      await api.call("POST", "/plan-groups", {
        rawBody: "{",
        headers: { "content-type": "application/json" },
      }),
      await api.call("POST", "/plan-groups", {
        rawBody: "name=x",
        headers: { "content-type": "text/plain" },
      }),
      await api.get("/plan-groups/pgrp_missing"),
      await api.get("/plans/no_such_plan"),
    ];
    const codes = new Set<string>();
    for (const res of responses) {
      const error = (res.body as Body).error;
      if (!error) throw new Error(`expected an error, got ${res.status} ${res.text}`);
      codes.add(error.code);
      // ERROR_DOCS_BASE_URL is empty: the request's own origin.
      expect(error.doc_url).toBe(`http://api.test/errors/${error.code}`);
      const page = await call("GET", new URL(error.doc_url).pathname);
      expect(page.status, error.doc_url).toBe(200);
      expect(page.text).toContain(`id="${error.code}"`);
    }
    expect(codes.size).toBe(responses.length);
  });

  it("follows the origin the server runs on, unless ERROR_DOCS_BASE_URL says otherwise", async () => {
    const send = async (url: string, vars: Partial<typeof env> = {}) => {
      const ctx = createExecutionContext();
      const res = await worker.fetch(new Request(url), { ...env, ...vars }, ctx);
      await waitOnExecutionContext(ctx);
      return ((await res.json()) as Body).error?.doc_url;
    };
    expect(await send("http://localhost:8790/api/v1/plans")).toBe(
      "http://localhost:8790/errors/unauthorized",
    );
    expect(
      await send("http://localhost:8790/api/v1/plans", {
        ERROR_DOCS_BASE_URL: "https://api.example.com/errors/",
      }),
    ).toBe("https://api.example.com/errors/unauthorized");
  });
});
