import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { newId } from "../../src/lib/ids";
import { createGroup, createPlan, groupWithPlans, memberIds } from "../helpers/factories";
import { client } from "../helpers/http";
import { uniqueOrg } from "../helpers/keys";

/** A plan row of another tenant, inserted behind the API's back. */
async function strayPlan(orgId: string, groupId: string | null, sortOrder: number) {
  const id = newId("plan");
  await env.DB.prepare(
    `INSERT INTO plans (id, org_id, mode, code, name, is_public, is_free, plan_group_id, sort_order, created_at, updated_at)
     VALUES (?, ?, 'test', ?, 'stray', 1, 0, ?, ?, 1, 1)`,
  )
    .bind(id, orgId, `stray_${id}`, groupId, sortOrder)
    .run();
  return id;
}

const positionOf = async (id: string) =>
  (
    await env.DB.prepare("SELECT sort_order AS s FROM plans WHERE id = ?")
      .bind(id)
      .first<{ s: number }>()
  )?.s;

/**
 * Every membership statement carries its tenant predicate itself: rows of
 * another tenant are never counted, listed or moved, even rows that break the
 * invariants (no API call can make them; a bug or a hand-edited row could).
 */
describe("membership statements are scoped to their tenant", () => {
  it("count, list and shift only the group's own tenant's rows", async () => {
    const api = await client();
    const { group, planIds } = await groupWithPlans(api, 2);
    const foreign = await strayPlan(uniqueOrg(), group.id, 7);
    const elsewhere = await createGroup(await client());
    const parked = await strayPlan(uniqueOrg(), elsewhere.id, -5);

    expect(await memberIds(api, group.id)).toEqual(planIds);
    const third = await createPlan(api);
    const added = await api.post<{ data: { sortOrder: number } }>(
      `/plan-groups/${group.id}/plans`,
      {
        planId: third.id,
      },
    );
    expect(added.body.data.sortOrder).toBe(2);
    const order = [third.id, ...planIds];
    expect(
      (await api.put(`/plan-groups/${group.id}/plans/reorder`, { planIds: order })).status,
    ).toBe(200);
    expect((await api.del(`/plan-groups/${group.id}/plans/${planIds[0]}`)).status).toBe(200);
    await api.del(`/plans/${planIds[1]}`);
    expect(await memberIds(api, group.id)).toEqual([third.id]);
    // Nothing of the other tenants moved, the parked row of another group included.
    expect(await positionOf(foreign)).toBe(7);
    expect(await positionOf(parked)).toBe(-5);
  });
});
