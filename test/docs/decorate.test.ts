import { describe, expect, it } from "vitest";
import { decorate, responseCodes } from "../../src/docs/decorate";
import type { OpenApiDocument } from "../../src/docs/openapi";

const error404 = (code: string) => ({
  description: "not found",
  content: { "application/json": { examples: { [code]: { value: {} } } } },
});

function docWith(op: Record<string, unknown>): OpenApiDocument {
  return {
    openapi: "3.1.0",
    info: { title: "t", version: "1" },
    paths: { "/api/v1/things": { post: { operationId: "make-thing", ...op } } },
  };
}

describe("decorate", () => {
  it("adds the errors, headers and parameters shared by every /api write", () => {
    const doc = decorate(
      docWith({ responses: { 404: error404("plan_not_found") } }),
      "https://x/errors",
    );
    const op = doc.paths?.["/api/v1/things"]?.post;
    const codes = Object.values(op?.responses ?? {}).flatMap(responseCodes);
    expect(codes.sort()).toEqual(
      [
        "idempotency_in_progress",
        "idempotency_key_mismatch",
        "internal_error",
        "plan_not_found",
        "rate_limited",
        "unauthorized",
      ].sort(),
    );
    expect(
      op?.responses?.["404"].content["application/json"].examples.plan_not_found.value.error
        .doc_url,
    ).toBe("https://x/errors/plan_not_found");
    expect(op?.parameters).toContainEqual({ $ref: "#/components/parameters/IdempotencyKey" });
  });

  it("keeps a header parameter a route declares itself", () => {
    const own = { name: "Idempotency-Key", in: "header", schema: { type: "string" } };
    const doc = decorate(docWith({ parameters: [own], responses: {} }), "https://x/errors");
    const params = doc.paths?.["/api/v1/things"]?.post?.parameters ?? [];
    expect(params.filter((p) => "$ref" in p && p.$ref.endsWith("/IdempotencyKey"))).toEqual([]);
    expect(params).toContainEqual(own);
  });

  it("refuses error responses that name no code, or an unknown one", () => {
    const bare = { 404: { description: "not found" } };
    expect(() => decorate(docWith({ responses: bare }), "")).toThrow(/names no error code/);
    expect(() => decorate(docWith({ responses: { 404: error404("nope") } }), "")).toThrow(
      /unknown error code nope/,
    );
  });
});
