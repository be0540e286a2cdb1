import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { client } from "../helpers/http";
import { uniqueOrg } from "../helpers/keys";
import { commetVerifies, standardVerifies } from "../helpers/verify";
import { createEndpoint, type Received, receiver, useReceivers } from "../helpers/webhooks";

/**
 * Through the front door: a write through the API records its events, the
 * worker enqueues them after the response, and the real queue hands them to
 * the worker's own `queue()` handler, which POSTs them.
 */

useReceivers();

type Payload = { id: string; event: string; apiVersion: string; mode: string; data: unknown };

const byEvent = (requests: Received[]) =>
  Object.fromEntries(
    requests.map((r) => {
      const payload = JSON.parse(r.body) as Payload;
      return [payload.event, payload];
    }),
  );

describe("webhooks end to end", () => {
  it("delivers every event of API writes in each endpoint's version, equal to what the API answers", async () => {
    const orgId = uniqueOrg();
    const [old, current] = [receiver(), receiver()];
    const oldEndpoint = await createEndpoint({ orgId, url: old.url, apiVersion: "2026-07-11" });
    await createEndpoint({ orgId, url: current.url, apiVersion: "2026-07-31" });
    const v31 = await client(orgId, "test", "2026-07-31");
    const v11 = await client(orgId, "test", "2026-07-11");

    const group = await v31.post<{ id: string }>("/plan-groups", { name: "Self-serve" });
    const plan = await v31.post<{ id: string }>("/plans", {
      name: "Pro",
      code: "pro",
      planGroupId: group.body.id,
    });
    expect(plan.status).toBe(201);

    // plan_group.created, plan.created, plan_group.plan_added: in any order.
    const oldEvents = byEvent(await old.waitFor(3));
    const currentEvents = byEvent(await current.waitFor(3));
    expect(Object.keys(oldEvents).sort()).toEqual([
      "plan.created",
      "plan_group.created",
      "plan_group.plan_added",
    ]);
    expect(Object.keys(currentEvents).sort()).toEqual(Object.keys(oldEvents).sort());

    const groupNow = {
      v11: (await v11.get<{ data: unknown }>(`/plan-groups/${group.body.id}`)).body.data,
      v31: (await v31.get(`/plan-groups/${group.body.id}`)).body,
    };
    const planNow = {
      v11: (await v11.get<{ data: unknown }>(`/plans/${plan.body.id}`)).body.data,
      v31: (await v31.get(`/plans/${plan.body.id}`)).body,
    };
    expect(oldEvents["plan_group.plan_added"]).toMatchObject({
      apiVersion: "2026-07-11",
      mode: "sandbox",
      data: groupNow.v11,
    });
    expect(currentEvents["plan_group.plan_added"]).toMatchObject({
      apiVersion: "2026-07-31",
      data: groupNow.v31,
    });
    expect(oldEvents["plan.created"]?.data).toEqual(planNow.v11);
    expect(currentEvents["plan.created"]?.data).toEqual(planNow.v31);
    expect(currentEvents["plan_group.created"]?.data).toMatchObject({ plans: [] });

    for (const req of old.requests) {
      expect(
        commetVerifies(req.body, req.headers.get("x-commet-signature"), oldEndpoint.secret),
      ).toBe(true);
      expect(standardVerifies(req.body, req.headers, oldEndpoint.secret)).toBe(true);
    }

    // Deleting the group fires plan_group.deleted only, with the group as it was.
    expect((await v31.del(`/plan-groups/${group.body.id}`)).status).toBe(200);
    const [, , , deleted] = await current.waitFor(4);
    expect(JSON.parse(deleted?.body ?? "{}")).toMatchObject({
      event: "plan_group.deleted",
      data: groupNow.v31,
    });
  });

  it("a write in another organization or mode reaches none of these endpoints", async () => {
    const orgId = uniqueOrg();
    const [mine, other] = [receiver(), receiver()];
    await createEndpoint({ orgId, url: mine.url });
    await createEndpoint({ orgId: uniqueOrg(), url: other.url });
    await (await client(orgId, "live", "2026-07-31")).post("/plan-groups", { name: "Live" });
    await (await client(orgId, "test", "2026-07-31")).post("/plan-groups", { name: "Test" });
    await (await client(uniqueOrg(), "test", "2026-07-31")).post("/plan-groups", { name: "Other" });
    await mine.waitFor(1);
    // Once every event of this organization has been fanned out, nothing else can come.
    await until(async () => {
      const row = await env.DB.prepare(
        "SELECT count(*) AS n FROM webhook_events WHERE org_id = ? AND dispatched_at IS NULL",
      )
        .bind(orgId)
        .first<{ n: number }>();
      return row?.n === 0;
    });
    expect(mine.requests).toHaveLength(1);
    expect(JSON.parse(mine.requests[0]?.body ?? "{}")).toMatchObject({
      event: "plan_group.created",
      mode: "sandbox",
      data: { name: "Test", livemode: false },
    });
    expect(other.requests).toEqual([]);
  });
});

async function until(check: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
