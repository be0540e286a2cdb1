import { describe, expect, it } from "vitest";
import { createGroup, type Envelope, type PlanGroupData } from "../helpers/factories";
import { client } from "../helpers/http";

const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/;

describe("D1 sessions and x-d1-bookmark", () => {
  it("returns a bookmark on reads and writes", async () => {
    const api = await client();
    const write = await api.post("/plan-groups", { name: "g" });
    const read = await api.get("/plan-groups");
    expect(write.headers.get("x-d1-bookmark")).toMatch(BOOKMARK);
    expect(read.headers.get("x-d1-bookmark")).toMatch(BOOKMARK);
  });

  it("a read that sends the write's bookmark sees the write", async () => {
    const api = await client();
    const write = await api.post<Envelope<PlanGroupData>>("/plan-groups", { name: "mine" });
    const bookmark = write.headers.get("x-d1-bookmark") as string;
    const read = await api.call<Envelope<PlanGroupData>>(
      "GET",
      `/plan-groups/${write.body.data.id}`,
      {
        headers: { "x-d1-bookmark": bookmark },
      },
    );
    expect(read.status).toBe(200);
    expect(read.body.data.name).toBe("mine");
    expect((read.headers.get("x-d1-bookmark") ?? "") >= bookmark).toBe(true);
  });

  it("ignores a malformed bookmark instead of failing", async () => {
    const api = await client();
    const group = await createGroup(api);
    for (const bad of ["garbage", "first-primary", "x".repeat(300)]) {
      const res = await api.call("GET", `/plan-groups/${group.id}`, {
        headers: { "x-d1-bookmark": bad },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-d1-bookmark")).toMatch(BOOKMARK);
    }
  });

  it("a write with a stale bookmark still goes to the primary", async () => {
    const api = await client();
    const res = await api.call("POST", "/plan-groups", {
      body: { name: "g" },
      headers: { "x-d1-bookmark": "00000000-00000000-00000000-00000000000000000000000000000000" },
    });
    expect(res.status).toBe(201);
  });
});
