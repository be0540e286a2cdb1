import { describe, expect, it } from "vitest";
import app from "../../src/app";
import { operations, responseCodes } from "../../src/docs/decorate";
import { ERRORS } from "../../src/errors";
import { call } from "../helpers/http";
import { fetchDocument, fetchDocuments, routeDiff } from "../helpers/openapi";
import { API_OPERATIONS } from "../helpers/operations";

// Served by the worker but deliberately not operations of the API.
const NOT_IN_DOCUMENT = [
  "/",
  "/openapi.json",
  "/openapi/:file",
  "/docs",
  "/errors",
  "/errors/:code",
];

describe("GET /openapi.json", () => {
  it("serves an OpenAPI 3.1 document without an API key", async () => {
    const res = await call("GET", "/openapi.json");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("x-request-id")).toMatch(/^req_/);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    const doc = await fetchDocument();
    expect(doc.openapi).toBe("3.1.0");
    // The current version's; each version's document is at /openapi/{version}.json.
    expect(doc.info).toMatchObject({ title: "Plan groups API", version: "2026-07-31" });
    expect(await fetchDocument("2026-07-31")).toEqual(doc);
    expect((await fetchDocument("2026-07-11")).info.version).toBe("2026-07-11");
    expect((await call("GET", "/openapi/2026-07-32.json")).status).toBe(404);
    expect((await call("GET", "/openapi/2026-07-31")).status).toBe(404);
    expect(doc.servers).toEqual([{ url: "http://api.test", description: "This deployment" }]);
    expect(Object.keys(doc.paths ?? {}).length).toBeGreaterThan(0);
  });

  it("names every operation of the contract in each version, each operationId once", async () => {
    for (const doc of await fetchDocuments()) {
      const ids = operations(doc).map(({ op }) => op.operationId);
      expect(ids).toEqual(expect.arrayContaining([...API_OPERATIONS, "health"]));
      expect(new Set(ids).size).toBe(ids.length);
    }
  });

  it("puts each generation's own paths in its document", async () => {
    const [legacy, current] = await fetchDocuments();
    const at = (doc: typeof legacy, path: string, method: "post" | "patch" | "put" | "delete") =>
      doc?.paths?.[path]?.[method]?.operationId;
    expect(at(legacy, "/api/v1/plans/manage", "post")).toBe("create-plan");
    expect(at(current, "/api/v1/plans", "post")).toBe("create-plan");
    expect(at(legacy, "/api/v1/plans/{id}/manage", "put")).toBe("update-plan");
    expect(at(current, "/api/v1/plans/{id}", "patch")).toBe("update-plan");
    expect(at(current, "/api/v1/plans/{id}", "delete")).toBe("delete-plan");
    expect(at(current, "/api/v1/plans/manage", "post")).toBeUndefined();
  });

  it("documents exactly the routes the app registers, across the versions", async () => {
    const diff = routeDiff(app.routes, await fetchDocuments(), NOT_IN_DOCUMENT);
    expect(diff).toEqual({ undocumented: [], unrouted: [] });
  });

  it("the route check fails both ways", async () => {
    const doc = await fetchDocuments();
    const extra = [...app.routes, { method: "POST", path: "/api/v1/plans/:id/archive" }];
    expect(routeDiff(extra, doc, NOT_IN_DOCUMENT).undocumented).toEqual([
      "POST /api/v1/plans/{id}/archive",
    ]);
    const fewer = app.routes.filter((r) => r.path !== "/api/v1/plans/:id/visibility");
    expect(routeDiff(fewer, doc, NOT_IN_DOCUMENT).unrouted).toEqual([
      "PUT /api/v1/plans/{id}/visibility",
    ]);
  });

  it("requires the API key on /api and nothing elsewhere", async () => {
    const doc = await fetchDocument();
    expect(doc.security).toEqual([{ ApiKey: [] }, { Bearer: [] }]);
    expect(doc.components?.securitySchemes).toMatchObject({
      ApiKey: { type: "apiKey", in: "header", name: "x-api-key" },
      Bearer: { type: "http", scheme: "bearer" },
    });
    for (const { path, op } of operations(doc)) {
      if (path.startsWith("/api/")) expect(op.security, op.operationId).toBeUndefined();
      else expect(op.security, op.operationId).toEqual([]);
    }
  });
});

describe("error responses in the document", () => {
  it("use only codes of the error table, each under its own status", async () => {
    for (const { op } of (await fetchDocuments()).flatMap(operations)) {
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        if (!/^[45]/.test(status)) continue;
        // Not an error of the API: /health's 503 is `{ ok: false, checks }` (API.md, Transport).
        if (op.operationId === "health" && status === "503") continue;
        const codes = responseCodes(response);
        expect(codes.length, `${op.operationId} ${status}`).toBeGreaterThan(0);
        for (const code of codes) {
          expect(Object.hasOwn(ERRORS, code), code).toBe(true);
          expect(String(ERRORS[code as keyof typeof ERRORS].status)).toBe(status);
        }
      }
    }
  });

  it("give every /api operation the errors its middleware can answer", async () => {
    for (const { path, method, op } of (await fetchDocuments()).flatMap(operations)) {
      if (!path.startsWith("/api/")) continue;
      const codes = Object.values(op.responses ?? {}).flatMap(responseCodes);
      expect(codes, op.operationId).toEqual(
        expect.arrayContaining(["unauthorized", "rate_limited", "internal_error"]),
      );
      if (op.requestBody) {
        expect(codes, op.operationId).toEqual(
          expect.arrayContaining(["validation_error", "invalid_json", "unsupported_media_type"]),
        );
      }
      if (["post", "put", "patch"].includes(method)) {
        expect(codes, op.operationId).toEqual(
          expect.arrayContaining(["idempotency_key_mismatch", "idempotency_in_progress"]),
        );
      }
    }
  });

  it("have examples whose doc_url the worker serves", async () => {
    const urls = new Set<string>();
    for (const { op } of (await fetchDocuments()).flatMap(operations)) {
      for (const response of Object.values(op.responses ?? {})) {
        const examples = response.content?.["application/json"]?.examples ?? {};
        for (const example of Object.values(examples) as {
          value?: { error?: { doc_url: string } };
        }[]) {
          if (example.value?.error) urls.add(example.value.error.doc_url);
        }
      }
    }
    expect(urls.size).toBeGreaterThan(5);
    for (const url of urls) {
      const res = await call("GET", new URL(url).pathname);
      expect(res.status, url).toBe(200);
    }
  });
});
