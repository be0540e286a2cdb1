import { describe, expect, it } from "vitest";
import { call, client } from "../helpers/http";

describe("x-request-id", () => {
  it("echoes a well-formed inbound id on success and on errors", async () => {
    const api = await client();
    for (const id of ["abc", "A.b_c-1", "x".repeat(128)]) {
      const ok = await api.call("GET", "/plan-groups", { headers: { "x-request-id": id } });
      expect(ok.headers.get("x-request-id")).toBe(id);
      const err = await call("GET", "/api/v1/plan-groups", { headers: { "x-request-id": id } });
      expect(err.status).toBe(401);
      expect(err.headers.get("x-request-id")).toBe(id);
    }
  });

  it("generates one for missing or malformed ids", async () => {
    const seen = new Set<string>();
    for (const id of [undefined, "", "x".repeat(129), "has space", "semi;colon", "ünï"]) {
      const res = await call("GET", "/health", {
        headers: id === undefined ? {} : { "x-request-id": id },
      });
      const got = res.headers.get("x-request-id") as string;
      expect(got).toMatch(/^req_[0-9a-f]{32}$/);
      seen.add(got);
    }
    expect(seen.size).toBe(6);
  });

  it("is on 404, 405, 413 and 415 responses", async () => {
    const api = await client();
    const responses = [
      await call("GET", "/nope"),
      await api.call("PATCH", "/plans"),
      await api.call("POST", "/plan-groups", {
        rawBody: "x",
        headers: { "content-type": "text/plain" },
      }),
      await api.call("POST", "/plan-groups", {
        rawBody: "x".repeat(70_000),
        headers: { "content-type": "application/json" },
      }),
    ];
    expect(responses.map((r) => r.status)).toEqual([404, 405, 415, 413]);
    for (const r of responses) expect(r.headers.get("x-request-id")).toMatch(/^req_/);
  });
});
