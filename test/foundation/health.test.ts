import { describe, expect, it } from "vitest";
import { call } from "../helpers/http";

describe("GET /health", () => {
  it("answers ok without auth", async () => {
    const res = await call("GET", "/health");
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ok: true });
    expect(res.headers.get("x-request-id")).toMatch(/^req_[0-9a-f]{32}$/);
  });
});
