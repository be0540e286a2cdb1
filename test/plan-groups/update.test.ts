import { describe, expect, it } from "vitest";
import {
  createGroup,
  createPlan,
  type Envelope,
  getGroup,
  type PlanGroupData,
} from "../helpers/factories";
import { client, expectError } from "../helpers/http";

const pause = () => new Promise((r) => setTimeout(r, 5));

describe.each(["PUT", "PATCH"])("%s /plan-groups/{id}", (method) => {
  it("changes only the fields sent and moves updatedAt", async () => {
    const api = await client();
    const g = await createGroup(api, { name: "Before", description: "d" });
    const plan = await createPlan(api, { planGroupId: g.id });
    await pause();
    const res = await api.call<Envelope<PlanGroupData>>(method, `/plan-groups/${g.id}`, {
      body: { name: " After " },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.data).toMatchObject({ name: "After", description: "d", isPublic: true });
    expect(res.body.data.plans.map((p) => p.id)).toEqual([plan.id]);
    expect(res.body.data.updatedAt > g.updatedAt).toBe(true);
    expect(res.body.data.createdAt).toBe(g.createdAt);
  });

  it("clears description with null and sets isPublic", async () => {
    const api = await client();
    const g = await createGroup(api, { name: "G", description: "d" });
    const res = await api.call<Envelope<PlanGroupData>>(method, `/plan-groups/${g.id}`, {
      body: { description: null, isPublic: false },
    });
    expect(res.body.data).toMatchObject({ description: null, isPublic: false });
  });

  it("is a no-op for an empty body and for unchanged values", async () => {
    const api = await client();
    const g = await createGroup(api, { name: "Same", description: "d" });
    await pause();
    const empty = await api.call<Envelope<PlanGroupData>>(method, `/plan-groups/${g.id}`, {
      body: {},
    });
    expect(empty.status).toBe(200);
    expect(empty.body.data).toEqual(g);
    const same = await api.call<Envelope<PlanGroupData>>(method, `/plan-groups/${g.id}`, {
      body: { name: "Same", description: "d", isPublic: true },
    });
    expect(same.body.data.updatedAt).toBe(g.updatedAt);
    expect(await getGroup(api, g.id)).toEqual(g);
  });

  it("validates the body", async () => {
    const api = await client();
    const g = await createGroup(api);
    const call = (body: unknown) => api.call(method, `/plan-groups/${g.id}`, { body });
    expectError(await call({ name: "" }), 400, "validation_error", "name");
    expectError(await call({ name: null }), 400, "validation_error", "name");
    expectError(await call({ plans: [] }), 400, "validation_error", "plans");
    expectError(await call({ isPublic: 1 }), 400, "validation_error", "isPublic");
  });

  it("is 404 for unknown and foreign groups", async () => {
    const api = await client();
    const other = await client();
    const g = await createGroup(other);
    expectError(
      await api.call(method, "/plan-groups/pgrp_x", { body: { name: "n" } }),
      404,
      "plan_group_not_found",
      "id",
    );
    expectError(
      await api.call(method, `/plan-groups/${g.id}`, { body: { name: "n" } }),
      404,
      "plan_group_not_found",
      "id",
    );
    expectError(
      await api.call(method, `/plan-groups/${g.id}`, { body: {} }),
      404,
      "plan_group_not_found",
      "id",
    );
    expect((await getGroup(other, g.id)).name).toBe("Group");
  });
});
