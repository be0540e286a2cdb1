import { describe, expect, it } from "vitest";
import { createPlan, type Envelope, getPlan, type PlanData } from "../helpers/factories";
import { client, expectError } from "../helpers/http";

const pause = () => new Promise((r) => setTimeout(r, 5));

describe("PUT /plans/{id}/manage", () => {
  it("changes the fields sent and moves updatedAt", async () => {
    const api = await client();
    const plan = await createPlan(api, { description: "d", metadata: { a: 1 } });
    await pause();
    const res = await api.put<Envelope<PlanData>>(`/plans/${plan.id}/manage`, {
      name: "Renamed",
      metadata: { b: 2 },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.data).toMatchObject({ name: "Renamed", description: "d", metadata: { b: 2 } });
    expect(res.body.data.updatedAt > plan.updatedAt).toBe(true);
    expect(await getPlan(api, plan.id)).toEqual(res.body.data);
  });

  it("clears description and metadata with null", async () => {
    const api = await client();
    const plan = await createPlan(api, { description: "d", metadata: { a: 1 } });
    const res = await api.put<Envelope<PlanData>>(`/plans/${plan.id}/manage`, {
      description: null,
      metadata: null,
    });
    expect(res.body.data).toMatchObject({ description: null, metadata: null });
  });

  it("keeps updatedAt for an empty body and for unchanged values", async () => {
    const api = await client();
    const plan = await createPlan(api, { metadata: { a: 1 } });
    await pause();
    const empty = await api.put<Envelope<PlanData>>(`/plans/${plan.id}/manage`, {});
    expect(empty.body.data).toEqual(plan);
    const same = await api.put<Envelope<PlanData>>(`/plans/${plan.id}/manage`, {
      name: plan.name,
      metadata: { a: 1 },
      isPublic: true,
    });
    expect(same.body.data.updatedAt).toBe(plan.updatedAt);
  });

  it("refuses fields that cannot be updated", async () => {
    const api = await client();
    const plan = await createPlan(api);
    for (const field of ["code", "isFree", "planGroupId", "consumptionModel"]) {
      expectError(
        await api.put(`/plans/${plan.id}/manage`, { [field]: null }),
        400,
        "validation_error",
        field,
      );
    }
    expectError(
      await api.put(`/plans/${plan.id}/manage`, { name: "" }),
      400,
      "validation_error",
      "name",
    );
  });

  it("is 404 for unknown, foreign and deleted plans", async () => {
    const api = await client();
    const other = await client();
    const foreign = await createPlan(other);
    const deleted = await createPlan(api);
    await api.del(`/plans/${deleted.id}/manage`);
    for (const id of ["plan_nope", foreign.id, deleted.id]) {
      expectError(await api.put(`/plans/${id}/manage`, { name: "x" }), 404, "plan_not_found", "id");
      expectError(await api.put(`/plans/${id}/manage`, {}), 404, "plan_not_found", "id");
    }
    expect((await getPlan(other, foreign.id)).name).toBe(foreign.name);
  });
});

describe("PUT /plans/{id}/visibility", () => {
  it("sets isPublic and answers the contract shape", async () => {
    const api = await client();
    const plan = await createPlan(api);
    const res = await api.put(`/plans/${plan.id}/visibility`, { isPublic: false });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      success: true,
      data: { id: plan.id, isPublic: false, object: "plan", livemode: false },
    });
    expect((await getPlan(api, plan.id)).isPublic).toBe(false);
    const listed = await api.get<Envelope<PlanData[]>>("/plans");
    expect(listed.body.data.map((p) => p.id)).not.toContain(plan.id);
  });

  it("requires isPublic as a boolean and nothing else", async () => {
    const api = await client();
    const plan = await createPlan(api);
    expectError(
      await api.put(`/plans/${plan.id}/visibility`, {}),
      400,
      "validation_error",
      "isPublic",
    );
    expectError(
      await api.put(`/plans/${plan.id}/visibility`, { isPublic: "no" }),
      400,
      "validation_error",
      "isPublic",
    );
    expectError(
      await api.put(`/plans/${plan.id}/visibility`, { isPublic: true, name: "x" }),
      400,
      "validation_error",
      "name",
    );
  });

  it("is 404 for unknown and foreign plans", async () => {
    const api = await client();
    const other = await client();
    const foreign = await createPlan(other);
    expectError(
      await api.put(`/plans/${foreign.id}/visibility`, { isPublic: false }),
      404,
      "plan_not_found",
      "id",
    );
    expect((await getPlan(other, foreign.id)).isPublic).toBe(true);
  });
});
