import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { describe, expect, it, vi } from "vitest";
import app from "../../src/app";
import { ERROR_CODES, ERRORS } from "../../src/errors";
import { call, client, expectError } from "../helpers/http";

describe("error envelope", () => {
  it("404 not_found for unknown routes, inside and outside /api/v1", async () => {
    const api = await client();
    const res = await api.get("/nope");
    expectError(res, 404, "not_found");
    expect(res.body.error).toEqual({
      type: "not_found_error",
      code: "not_found",
      message: expect.any(String),
      param: null,
      details: null,
      // Built from the request's own origin when ERROR_DOCS_BASE_URL is empty.
      doc_url: "http://api.test/errors/not_found",
    });
    expectError(await call("GET", "/nope"), 404, "not_found");
  });

  it("404 names the method and the path", async () => {
    const api = await client();
    const res = await api.get("/plan-groupz");
    expectError(res, 404, "not_found");
    expect(res.body.error?.message).toBe("No route for GET /api/v1/plan-groupz");
    const outside = await call("DELETE", "/nope/x");
    expect(outside.body.error?.message).toBe("No route for DELETE /nope/x");
    // A hostile path is cut short rather than echoed whole.
    const long = await api.get(`/${"x".repeat(5000)}`);
    expect(long.body.error?.message.length).toBeLessThan(300);
  });

  it("405 with Allow for a known path and the wrong method", async () => {
    const api = await client();
    const res = await api.call("POST", "/plan-groups/pgrp_x", { body: {} });
    expectError(res, 405, "method_not_allowed");
    expect(res.body.error?.type).toBe("invalid_request_error");
    expect(res.headers.get("allow")).toBe("DELETE, GET, HEAD, PATCH, PUT");
    expect(res.body.error?.message).toBe(
      "POST is not allowed on /api/v1/plan-groups/pgrp_x; use DELETE, GET, HEAD, PATCH, PUT.",
    );
    const list = await api.call("DELETE", "/plan-groups");
    expect(list.headers.get("allow")).toBe("GET, HEAD, POST");
  });

  it("415 without a JSON content type", async () => {
    const api = await client();
    for (const type of [
      undefined,
      "text/plain",
      "application/x-www-form-urlencoded",
      "application/jsonp",
    ]) {
      const res = await api.call("POST", "/plan-groups", {
        rawBody: '{"name":"x"}',
        headers: type ? { "content-type": type } : {},
      });
      expectError(res, 415, "unsupported_media_type");
      expect(res.body.error?.type).toBe("invalid_request_error");
    }
    const ok = await api.call("POST", "/plan-groups", {
      rawBody: '{"name":"x"}',
      headers: { "content-type": "application/json; charset=utf-8" },
    });
    expect(ok.status).toBe(201);
  });

  it.each([
    "application/json; charset=utf-8",
    "application/json ; charset=utf-8",
    "application/json\t;\tcharset=UTF-8",
    "application/json;",
    "application/json;;",
    "application/json; charset",
    'application/json; charset="utf-8"',
    "Application/JSON",
  ])("takes %j as application/json (RFC 9110 media type)", async (type) => {
    const api = await client();
    const res = await api.call("POST", "/plan-groups", {
      rawBody: '{"name":"x"}',
      headers: { "content-type": type },
    });
    expect(res.status, res.text).toBe(201);
    const put = await api.call("PUT", `/plan-groups/${(res.body.data as { id: string }).id}`, {
      rawBody: '{"name":"y"}',
      headers: { "content-type": type },
    });
    expect(put.status, put.text).toBe(200);
  });

  it.each(["application / json", "application/json, text/plain", "application/", ";", "json"])(
    "415 for %j, which is not a JSON media type",
    async (type) => {
      const api = await client();
      const res = await api.call("POST", "/plan-groups", {
        rawBody: '{"name":"x"}',
        headers: { "content-type": type },
      });
      expectError(res, 415, "unsupported_media_type");
    },
  );

  it.each<[ContentfulStatusCode, string]>([
    [400, "invalid_json"],
    [404, "not_found"],
    [405, "method_not_allowed"],
    [413, "payload_too_large"],
    [415, "unsupported_media_type"],
    [429, "rate_limited"],
    [418, "validation_error"],
    [431, "validation_error"],
  ])("a framework HTTPException %i is an envelope with its own status", async (status, code) => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const api = await client();
    const ctx = createExecutionContext();
    // Thrown where the framework would throw it: from inside the request's middleware chain.
    const throwing = {
      withSession: () => {
        throw new HTTPException(status, { message: "framework wording" });
      },
    } as unknown as D1Database;
    const res = await app.fetch(
      new Request("http://api.test/api/v1/plan-groups", { headers: { "x-api-key": api.key } }),
      { ...env, DB: throwing },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    const body = (await res.json()) as {
      success?: boolean;
      error: { code: string; message: string };
    };
    expect(res.status).toBe(status);
    // No Commet-Version and no pin: the current version's error body.
    expect(body).not.toHaveProperty("success");
    expect(body.error.code).toBe(code);
    expect(body.error.message).not.toContain("framework wording");
    // A client's mistake logs nothing (the key's lastUsedAt note fails on this fake binding).
    const logged = log.mock.calls.map((c) => String(c[0])).filter((l) => !l.includes("lastUsedAt"));
    expect(logged).toEqual([]);
    log.mockRestore();
  });

  it("413 over 64 KiB, by header or by actual size", async () => {
    const api = await client();
    const big = JSON.stringify({ name: "x", description: "d".repeat(65 * 1024) });
    const res = await api.call("POST", "/plan-groups", {
      rawBody: big,
      headers: { "content-type": "application/json" },
    });
    expectError(res, 413, "payload_too_large");
    expect(res.body.error?.type).toBe("invalid_request_error");
    const exactly = JSON.stringify({ name: "x", description: "" }).length;
    const fits = JSON.stringify({
      name: "x",
      description: "",
      pad: " ".repeat(64 * 1024 - exactly - 10),
    });
    expect(new TextEncoder().encode(fits).byteLength).toBeLessThanOrEqual(64 * 1024);
    expect(
      (
        await api.call("POST", "/plan-groups", {
          rawBody: fits,
          headers: { "content-type": "application/json" },
        })
      ).status,
    ).toBe(400);
  });

  it.each([
    ["{", "The request body is not valid JSON (UTF-8 encoded)."],
    ['{"name":"x",}', "The request body is not valid JSON (UTF-8 encoded)."],
    ["\xff", "The request body is not valid JSON (UTF-8 encoded)."],
    ["", "The request body is empty; send a JSON object."],
    ["[]", "The request body must be a JSON object, not an array."],
    ["null", "The request body must be a JSON object, not null."],
    ['"x"', "The request body must be a JSON object, not a string."],
    ["1", "The request body must be a JSON object, not a number."],
    ["true", "The request body must be a JSON object, not a boolean."],
  ])("400 invalid_json for %j, saying what is wrong", async (raw, message) => {
    const api = await client();
    const res = await api.call("POST", "/plan-groups", {
      rawBody: raw,
      headers: { "content-type": "application/json" },
    });
    expectError(res, 400, "invalid_json");
    expect(res.body.error?.type).toBe("validation_error");
    expect(res.body.error?.message).toBe(message);
  });

  it("validation errors list every field issue, param is the first", async () => {
    const api = await client();
    const res = await api.post("/plans/manage", { name: "", code: "BAD", extra: 1 });
    expectError(res, 400, "validation_error", "name");
    const details = res.body.error?.details as { field: string; message: string }[];
    expect(details.map((d) => d.field).sort()).toEqual(["code", "extra", "name"]);
    expect(res.body.error?.message).toContain("name: ");
  });

  it.each([
    ["2026-07-11", { success: false }, "api_error"],
    ["2026-07-31", {}, "internal_error"],
  ])(
    "500 internal_error leaks nothing and logs with the request id (%s)",
    async (version, wrapper, type) => {
      const log = vi.spyOn(console, "error").mockImplementation(() => {});
      const api = await client();
      const ctx = createExecutionContext();
      // A real database without our tables: the query fails inside D1.
      const res = await app.fetch(
        new Request("http://api.test/api/v1/plan-groups", {
          headers: { "x-api-key": api.key, "x-request-id": "trace-500", "Commet-Version": version },
        }),
        { ...env, DB: env.DB_EMPTY },
        ctx,
      );
      await waitOnExecutionContext(ctx);
      const text = await res.text();
      expect(res.status).toBe(500);
      expect(res.headers.get("commet-version")).toBe(version);
      expect(JSON.parse(text)).toEqual({
        ...wrapper,
        error: {
          type,
          code: "internal_error",
          message: ERRORS.internal_error.message,
          param: null,
          details: null,
          doc_url: "http://api.test/errors/internal_error",
        },
      });
      expect(text).not.toMatch(/sqlite|SQL|no such table|plan_groups|stack|at /i);
      expect(res.headers.get("x-request-id")).toBe("trace-500");
      const logged = log.mock.calls.map((c) => String(c[0])).join("\n");
      expect(logged).toContain("trace-500");
      expect(logged).toContain("no such table");
      log.mockRestore();
    },
  );
});

describe("error reference", () => {
  it("serves a page for every code, and the index lists them all", async () => {
    const index = await call("GET", "/errors");
    expect(index.status).toBe(200);
    for (const code of ERROR_CODES) {
      expect(index.text).toContain(`id="${code}"`);
      const page = await call("GET", `/errors/${code}`);
      expect(page.status).toBe(200);
      expect(page.headers.get("content-type")).toContain("text/html");
      expect(page.text).toContain(`HTTP ${ERRORS[code].status}`);
    }
    expectError(await call("GET", "/errors/nope"), 404, "not_found", "code");
  });

  it("every doc_url a client receives resolves", async () => {
    const api = await client();
    const res = await api.get("/plan-groups/pgrp_missing");
    const url = new URL(res.body.error?.doc_url as string);
    expect((await call("GET", url.pathname)).status).toBe(200);
  });
});
