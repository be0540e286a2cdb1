import { describe, expect, it } from "vitest";
import { decorate, responseCodes } from "../../src/docs/decorate";
import type { OpenApiDocument } from "../../src/docs/openapi";
import { VERSIONS } from "../../src/versions";

function docWith(op: Record<string, unknown>): OpenApiDocument {
  return {
    openapi: "3.1.0",
    info: { title: "t", version: "1" },
    paths: { "/api/v1/things": { post: { operationId: "make-thing", ...op } } },
  };
}

const v0711 = VERSIONS["2026-07-11"];
const v0731 = VERSIONS["2026-07-31"];

describe("decorate", () => {
  it("adds the errors, headers and parameters shared by every /api write", () => {
    const doc = decorate(
      docWith({ responses: {} }),
      v0711,
      () => ["plan_not_found"],
      "https://x/errors",
    );
    const op = doc.paths?.["/api/v1/things"]?.post;
    const codes = Object.values(op?.responses ?? {}).flatMap(responseCodes);
    expect(codes.sort()).toEqual(
      [
        "idempotency_in_progress",
        "idempotency_key_mismatch",
        "idempotency_unavailable",
        "internal_error",
        "plan_not_found",
        "rate_limited",
        "unauthorized",
        "validation_error",
      ].sort(),
    );
    expect(
      op?.responses?.["404"].content["application/json"].examples.plan_not_found.value.error
        .doc_url,
    ).toBe("https://x/errors/plan_not_found");
    expect(op?.parameters).toContainEqual({ $ref: "#/components/parameters/IdempotencyKey" });
    expect(op?.parameters).toContainEqual({ $ref: "#/components/parameters/CommetVersion" });
  });

  it("writes the examples in the version's error shape", () => {
    const examples = (version: typeof v0711) =>
      decorate(docWith({ responses: {} }), version, () => [], "https://x/errors").paths?.[
        "/api/v1/things"
      ]?.post?.responses?.["500"].content["application/json"].examples;
    expect(examples(v0711).internal_error.value).toMatchObject({
      success: false,
      error: { type: "api_error", code: "internal_error" },
    });
    const current = examples(v0731).internal_error.value;
    expect(current).not.toHaveProperty("success");
    expect(current).toMatchObject({ error: { type: "internal_error", code: "internal_error" } });
  });

  it("keeps a header parameter a route declares itself", () => {
    const own = { name: "Idempotency-Key", in: "header", schema: { type: "string" } };
    const doc = decorate(docWith({ parameters: [own], responses: {} }), v0711, () => [], "");
    const params = doc.paths?.["/api/v1/things"]?.post?.parameters ?? [];
    expect(params.filter((p) => "$ref" in p && p.$ref.endsWith("/IdempotencyKey"))).toEqual([]);
    expect(params).toContainEqual(own);
  });
});
