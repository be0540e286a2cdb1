import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
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
      doc_url: "http://localhost:8787/errors/not_found",
    });
    expectError(await call("GET", "/nope"), 404, "not_found");
  });

  it("405 with Allow for a known path and the wrong method", async () => {
    const api = await client();
    const res = await api.call("POST", "/plan-groups/pgrp_x", { body: {} });
    expectError(res, 405, "method_not_allowed");
    expect(res.body.error?.type).toBe("invalid_request_error");
    expect(res.headers.get("allow")).toBe("DELETE, GET, HEAD, PATCH, PUT");
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

  it.each([["{"], ["[]"], ["null"], ['"x"'], ["1"], [""], ["\xff"]])(
    "400 invalid_json for %j",
    async (raw) => {
      const api = await client();
      const res = await api.call("POST", "/plan-groups", {
        rawBody: raw,
        headers: { "content-type": "application/json" },
      });
      expectError(res, 400, "invalid_json");
      expect(res.body.error?.type).toBe("validation_error");
    },
  );

  it("validation errors list every field issue, param is the first", async () => {
    const api = await client();
    const res = await api.post("/plans/manage", { name: "", code: "BAD", extra: 1 });
    expectError(res, 400, "validation_error", "name");
    const details = res.body.error?.details as { field: string; message: string }[];
    expect(details.map((d) => d.field).sort()).toEqual(["code", "extra", "name"]);
    expect(res.body.error?.message).toContain("name: ");
  });

  it("500 internal_error leaks nothing and logs with the request id", async () => {
    const log = vi.spyOn(console, "error").mockImplementation(() => {});
    const api = await client();
    const ctx = createExecutionContext();
    // A real database without our tables: the query fails inside D1.
    const res = await app.fetch(
      new Request("http://api.test/api/v1/plan-groups", {
        headers: { "x-api-key": api.key, "x-request-id": "trace-500" },
      }),
      { ...env, DB: env.DB_EMPTY },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    const text = await res.text();
    expect(res.status).toBe(500);
    expect(JSON.parse(text)).toEqual({
      success: false,
      error: {
        type: "api_error",
        code: "internal_error",
        message: ERRORS.internal_error.message,
        param: null,
        details: null,
        doc_url: "http://localhost:8787/errors/internal_error",
      },
    });
    expect(text).not.toMatch(/sqlite|SQL|no such table|plan_groups|stack|at /i);
    expect(res.headers.get("x-request-id")).toBe("trace-500");
    const logged = log.mock.calls.map((c) => String(c[0])).join("\n");
    expect(logged).toContain("trace-500");
    expect(logged).toContain("no such table");
    log.mockRestore();
  });
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
