import { describe, expect, it } from "vitest";
import {
  createGroup,
  createPlan,
  type Envelope,
  memberIds,
  type PlanData,
} from "../helpers/factories";
import { client, expectError } from "../helpers/http";

describe("POST /plans/manage", () => {
  it("creates a plan with defaults", async () => {
    const api = await client();
    const res = await api.post<Envelope<PlanData>>("/plans/manage", { name: " Pro ", code: "pro" });
    expect(res.status, res.text).toBe(201);
    const p = res.body.data;
    expect(p).toMatchObject({
      object: "plan",
      livemode: false,
      code: "pro",
      name: "Pro",
      description: null,
      consumptionModel: null,
      isPublic: true,
      isDefault: false,
      isFree: false,
      blockOnExhaustion: null,
      sortOrder: 0,
      planGroupId: null,
      metadata: null,
    });
    expect(p.id).toMatch(/^plan_[0-9a-z]{26}$/);
    expect(p.updatedAt).toBe(p.createdAt);
  });

  it("stores every optional field", async () => {
    const api = await client();
    const p = await createPlan(api, {
      description: "Growing teams",
      consumptionModel: "credits",
      isPublic: false,
      isFree: true,
      blockOnExhaustion: true,
      metadata: { tier: "pro", limits: { seats: 5 }, tags: ["a"] },
    });
    expect(p).toMatchObject({
      description: "Growing teams",
      consumptionModel: "credits",
      isPublic: false,
      isFree: true,
      blockOnExhaustion: true,
      metadata: { tier: "pro", limits: { seats: 5 }, tags: ["a"] },
    });
  });

  it("appends to planGroupId", async () => {
    const api = await client();
    const group = await createGroup(api);
    const a = await createPlan(api, { planGroupId: group.id });
    const b = await createPlan(api, { planGroupId: group.id });
    expect(a).toMatchObject({ planGroupId: group.id, sortOrder: 0 });
    expect(b).toMatchObject({ planGroupId: group.id, sortOrder: 1 });
    expect(await memberIds(api, group.id)).toEqual([a.id, b.id]);
  });

  it("is 404 for an unknown or foreign planGroupId and creates nothing", async () => {
    const api = await client();
    const other = await client();
    const foreign = await createGroup(other);
    for (const planGroupId of ["pgrp_nope", foreign.id]) {
      const res = await api.post("/plans/manage", { name: "x", code: "ghost", planGroupId });
      expectError(res, 404, "plan_group_not_found", "planGroupId");
    }
    expectError(await api.get("/plans/ghost"), 404, "plan_not_found", "id");
  });

  it("refuses a code used by a live plan, per organization and mode", async () => {
    const api = await client();
    await createPlan(api, { code: "starter" });
    const dup = await api.post("/plans/manage", { name: "again", code: "starter" });
    expectError(dup, 409, "duplicate", "code");
    const otherOrg = await client();
    expect((await otherOrg.post("/plans/manage", { name: "s", code: "starter" })).status).toBe(201);
    const live = await client(api.orgId, "live");
    expect((await live.post("/plans/manage", { name: "s", code: "starter" })).status).toBe(201);
  });

  it("does not create the plan when the code is taken, even with a group", async () => {
    const api = await client();
    const group = await createGroup(api);
    await createPlan(api, { code: "taken" });
    const res = await api.post("/plans/manage", {
      name: "x",
      code: "taken",
      planGroupId: group.id,
    });
    expectError(res, 409, "duplicate", "code");
    expect(await memberIds(api, group.id)).toEqual([]);
  });

  it.each([
    [{ code: "ok" }, "name"],
    [{ name: "x" }, "code"],
    [{ name: "x", code: "Has-Caps" }, "code"],
    [{ name: "x", code: "" }, "code"],
    [{ name: "x", code: "a".repeat(65) }, "code"],
    [{ name: "x", code: "ok", consumptionModel: "seats" }, "consumptionModel"],
    [{ name: "x", code: "ok", isFree: "true" }, "isFree"],
    [{ name: "x", code: "ok", blockOnExhaustion: "no" }, "blockOnExhaustion"],
    [{ name: "x", code: "ok", metadata: [] }, "metadata"],
    [{ name: "x", code: "ok", metadata: "x" }, "metadata"],
    [{ name: "x", code: "ok", metadata: { ["k".repeat(41)]: 1 } }, `metadata.${"k".repeat(41)}`],
    [{ name: "x", code: "ok", isDefault: true }, "isDefault"],
    [{ name: "x", code: "ok", sortOrder: 1 }, "sortOrder"],
  ])("rejects %j naming %s", async (body, param) => {
    const api = await client();
    const res = await api.post("/plans/manage", body);
    expectError(res, 400, "validation_error", param);
  });

  it("bounds metadata: 50 keys and 8 KiB", async () => {
    const api = await client();
    const fifty = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`k${i}`, i]));
    expect(
      (await api.post("/plans/manage", { name: "x", code: "m50", metadata: fifty })).status,
    ).toBe(201);
    const many = { ...fifty, k50: 50 };
    expectError(
      await api.post("/plans/manage", { name: "x", code: "m51", metadata: many }),
      400,
      "validation_error",
      "metadata",
    );
    const big = { blob: "x".repeat(8200) };
    expectError(
      await api.post("/plans/manage", { name: "x", code: "mbig", metadata: big }),
      400,
      "validation_error",
      "metadata",
    );
  });
});
