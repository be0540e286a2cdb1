import { describe, expect, it } from "vitest";
import { createGroup, type Envelope, type PlanGroupData } from "../helpers/factories";
import { client, expectError } from "../helpers/http";

const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe("POST /plan-groups", () => {
  it("creates an empty group with defaults", async () => {
    const api = await client();
    const res = await api.post<Envelope<PlanGroupData>>("/plan-groups", { name: "  Self-serve  " });
    expect(res.status).toBe(201);
    const g = res.body.data;
    expect(res.body.success).toBe(true);
    expect(g).toMatchObject({
      object: "plan_group",
      livemode: false,
      name: "Self-serve",
      description: null,
      isPublic: true,
      plans: [],
    });
    expect(g.id).toMatch(/^pgrp_[0-9a-z]{26}$/);
    expect(g.createdAt).toMatch(ISO_MS);
    expect(g.updatedAt).toBe(g.createdAt);
  });

  it("accepts description and isPublic", async () => {
    const api = await client();
    const g = await createGroup(api, { name: "Hidden", description: "internal", isPublic: false });
    expect(g).toMatchObject({ description: "internal", isPublic: false });
  });

  it("makes time-sortable ids", async () => {
    const api = await client();
    const a = await createGroup(api);
    const b = await createGroup(api);
    expect(a.id < b.id).toBe(true);
  });

  it.each([
    [{}, "name"],
    [{ name: "" }, "name"],
    [{ name: "   " }, "name"],
    [{ name: "x".repeat(121) }, "name"],
    [{ name: 5 }, "name"],
    [{ name: "ok", description: "d".repeat(1001) }, "description"],
    [{ name: "ok", isPublic: "yes" }, "isPublic"],
    [{ name: "ok", colour: "red" }, "colour"],
    [{ name: "a\u0000b" }, "name"],
  ])("rejects %j naming %s", async (body, param) => {
    const api = await client();
    const res = await api.post("/plan-groups", body);
    expectError(res, 400, "validation_error", param);
    const details = res.body.error?.details as { field: string; message: string }[];
    expect(details[0]?.field).toBe(param);
    expect(res.body.error?.message).toContain(param);
  });

  it("accepts a 120-character name and a 1000-character description", async () => {
    const api = await client();
    const g = await createGroup(api, { name: "n".repeat(120), description: "d".repeat(1000) });
    expect(g.name).toHaveLength(120);
  });

  it("uses livemode true for live keys", async () => {
    const api = await client(undefined, "live");
    const g = await createGroup(api);
    expect(g.livemode).toBe(true);
  });
});
