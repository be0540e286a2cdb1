import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { Commet, CommetAPIError } from "@commet/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import worker from "../../src/index";
import { createKey, uniqueOrg } from "../helpers/keys";

/**
 * The real `@commet/node` 7.10.0 (API 2026-07-11), unchanged. It always calls
 * https://commet.co; `fetch` is wrapped so those calls reach this worker.
 */
const realFetch = globalThis.fetch;
const sent: { method: string; headers: Headers }[] = [];

beforeAll(() => {
  process.env.COMMET_NO_UPDATE_CHECK = "1";
  globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    const url = new URL(request.url);
    if (url.origin !== "https://commet.co") return realFetch(input, init);
    sent.push({ method: request.method, headers: request.headers });
    const ctx = createExecutionContext();
    const res = await worker.fetch(
      new Request(`http://api.test${url.pathname}${url.search}`, request),
      env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return res;
  };
});

afterAll(() => {
  globalThis.fetch = realFetch;
});

type Envelope<T> = { success: boolean; data: T; hasMore?: boolean; nextCursor?: string };
type Group = { id: string; plans: { id: string; sortOrder: number }[] };
type Plan = { id: string; code: string; planGroupId: string | null; sortOrder: number };

async function sdk() {
  const { key } = await createKey(uniqueOrg(), "test", { tier: "unlimited" });
  return new Commet({ apiKey: key, telemetry: false });
}

describe("@commet/node 7.x against the worker", () => {
  it("sends 2026-07-11 and gets the envelope, for every plan and group flow", async () => {
    const commet = await sdk();
    const group = (await commet.planGroups.create({
      name: "Self-serve",
    })) as unknown as Envelope<Group>;
    expect(group).toMatchObject({ success: true, data: { object: "plan_group", plans: [] } });
    const gid = group.data.id;
    const plans: Plan[] = [];
    for (const code of ["starter", "pro"]) {
      const created = (await commet.plans.create({
        name: code,
        code,
      })) as unknown as Envelope<Plan>;
      plans.push(created.data);
    }
    const [starter, pro] = plans as [Plan, Plan];
    await commet.planGroups.addPlan({ id: gid, planId: starter.id });
    const added = (await commet.planGroups.addPlan({
      id: gid,
      planId: pro.id,
      sortOrder: 0,
    })) as unknown as Envelope<{ sortOrder: number }>;
    expect(added.data.sortOrder).toBe(0);
    const reordered = (await commet.planGroups.reorderPlans({
      id: gid,
      planIds: [starter.id, pro.id],
    })) as unknown as Envelope<{ plans: { id: string }[] }>;
    expect(reordered.data.plans.map((p) => p.id)).toEqual([starter.id, pro.id]);
    const got = (await commet.planGroups.get({ id: gid })) as unknown as Envelope<Group>;
    expect(got.data.plans.map((p) => p.id)).toEqual([starter.id, pro.id]);
    const listed = (await commet.planGroups.list({ limit: 10 })) as unknown as Envelope<Group[]>;
    expect(listed).toMatchObject({ success: true, hasMore: false });
    const updated = (await commet.planGroups.update({
      id: gid,
      name: "Renamed",
    })) as unknown as Envelope<{
      name: string;
    }>;
    expect(updated.data.name).toBe("Renamed");
    const plan = (await commet.plans.get({ id: "pro" })) as unknown as Envelope<Plan>;
    expect(plan.data).toMatchObject({ id: pro.id, planGroupId: gid });
    await commet.plans.update({ id: pro.id, name: "Pro plus" });
    const hidden = (await commet.plans.setVisibility({
      id: pro.id,
      isPublic: false,
    })) as unknown as Envelope<{
      isPublic: boolean;
    }>;
    expect(hidden.data).toEqual({ id: pro.id, isPublic: false, object: "plan", livemode: false });
    const all = (await commet.plans.list({ includePrivate: "true" })) as unknown as Envelope<
      Plan[]
    >;
    expect(all.data.map((p) => p.id).sort()).toEqual([starter.id, pro.id].sort());
    await commet.planGroups.removePlan({ id: gid, planId: starter.id });
    expect(await commet.plans.delete({ id: starter.id })).toMatchObject({
      success: true,
      data: { id: starter.id, deleted: true },
    });
    expect(await commet.planGroups.delete({ id: gid })).toMatchObject({
      data: { id: gid, deleted: true, object: "plan_group" },
    });
    expect(sent.every((r) => r.headers.get("commet-version") === "2026-07-11")).toBe(true);
    const writes = sent.filter((r) => ["POST", "PUT", "PATCH"].includes(r.method));
    expect(writes.every((r) => r.headers.get("idempotency-key"))).toBe(true);
  });

  it("surfaces errors as CommetAPIError with code, type, doc URL and request id", async () => {
    const commet = await sdk();
    const err = await commet.planGroups.get({ id: "pgrp_missing" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CommetAPIError);
    expect(err).toMatchObject({
      statusCode: 404,
      code: "plan_group_not_found",
      type: "not_found_error",
      param: "id",
    });
    expect((err as CommetAPIError).docUrl).toBe("http://api.test/errors/plan_group_not_found");
  });
});
