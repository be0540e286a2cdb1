import { describe, expect, it } from "vitest";
import { operations } from "../../src/docs/decorate";
import { fetchDocument, fetchDocuments } from "../helpers/openapi";

const refName = (p: object) => ("$ref" in p && typeof p.$ref === "string" ? p.$ref : "");

describe("headers in the document", () => {
  it("puts x-request-id on every response of every operation", async () => {
    for (const { op } of (await fetchDocuments()).flatMap(operations)) {
      for (const [status, response] of Object.entries(op.responses ?? {})) {
        expect(response.headers?.["x-request-id"], `${op.operationId} ${status}`).toEqual({
          $ref: "#/components/headers/RequestId",
        });
      }
    }
  });

  it("accepts Idempotency-Key exactly on POST, PUT and PATCH", async () => {
    for (const { method, path, op } of (await fetchDocuments()).flatMap(operations)) {
      const refs = (op.parameters ?? []).map(refName);
      const write = path.startsWith("/api/") && ["post", "put", "patch"].includes(method);
      expect(refs.includes("#/components/parameters/IdempotencyKey"), op.operationId).toBe(write);
      if (!write) continue;
      const replayed = op.responses?.["200"] ?? op.responses?.["201"];
      expect(replayed?.headers?.["Idempotent-Replayed"], op.operationId).toBeDefined();
    }
  });

  it("describes the rate-limit headers on every 429", async () => {
    const doc = await fetchDocument();
    for (const { path, op } of operations(doc)) {
      if (!path.startsWith("/api/")) continue;
      const headers = Object.keys(op.responses?.["429"]?.headers ?? {});
      expect(headers, op.operationId).toEqual(
        expect.arrayContaining([
          "Retry-After",
          "RateLimit-Limit",
          "RateLimit-Remaining",
          "RateLimit-Reset",
        ]),
      );
    }
    expect(Object.keys(doc.components?.headers ?? {})).toEqual(
      expect.arrayContaining(["RequestId", "IdempotentReplayed", "RetryAfter", "RateLimitLimit"]),
    );
  });

  it("resolves every $ref it uses", async () => {
    const doc = await fetchDocument();
    const refs = JSON.stringify(doc).match(/"\$ref":"[^"]+"/g) ?? [];
    for (const ref of new Set(refs)) {
      const [, kind, name] = ref.slice(8, -1).split("/").slice(1);
      const components = (doc.components ?? {}) as Record<string, Record<string, unknown>>;
      expect(components[kind ?? ""]?.[name ?? ""], ref).toBeDefined();
    }
  });

  it("describes every field and parameter for a reader", async () => {
    const doc = await fetchDocument();
    const missing: string[] = [];
    const walk = (schema: unknown, where: string) => {
      if (typeof schema !== "object" || schema === null || "$ref" in schema) return;
      const props = (schema as { properties?: Record<string, object> }).properties ?? {};
      for (const [key, prop] of Object.entries(props)) {
        if (!("$ref" in prop) && !("description" in prop)) missing.push(`${where}.${key}`);
        walk(prop, `${where}.${key}`);
      }
    };
    for (const [name, schema] of Object.entries(doc.components?.schemas ?? {})) walk(schema, name);
    for (const { op } of operations(doc)) {
      const id = op.operationId ?? "";
      const body = op.requestBody && "content" in op.requestBody ? op.requestBody : undefined;
      walk(body?.content["application/json"]?.schema, `${id} body`);
      for (const p of op.parameters ?? []) {
        if (!("$ref" in p) && !p.description) missing.push(`${id} parameter ${p.name}`);
      }
      for (const [status, r] of Object.entries(op.responses ?? {})) {
        if (status.startsWith("2"))
          walk(r.content?.["application/json"]?.schema, `${id} ${status}`);
      }
      expect(op.summary && op.description, id).toBeTruthy();
    }
    expect(missing).toEqual([]);
  });
});
