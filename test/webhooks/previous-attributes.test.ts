import { env } from "cloudflare:test";
import { Commet } from "@commet/node";
import { describe, expect, it } from "vitest";
import { presentEvent, type StoredEvent } from "../../src/events/present";
import { API_VERSIONS } from "../../src/versions/ids";
import { buildPayload } from "../../src/webhooks/payload";
import { newSigningSecret, signCommet } from "../../src/webhooks/sign";
import { createGroup, createPlan, groupWithPlans } from "../helpers/factories";
import { type Client, client } from "../helpers/http";

/** The outbox rows of an organization, oldest first, as the presenters read them. */
async function outbox(orgId: string): Promise<StoredEvent[]> {
  const { results } = await env.DB.prepare(
    `SELECT id, org_id AS orgId, mode, type, data, previous, request_id AS requestId,
            idempotency_key AS idempotencyKey, created_at AS createdAt
     FROM webhook_events WHERE org_id = ? ORDER BY id`,
  )
    .bind(orgId)
    .all<StoredEvent>();
  return results;
}

/** The events one request recorded. */
async function recorded(api: Client, send: () => Promise<{ status: number; text: string }>) {
  const before = new Set((await outbox(api.orgId)).map((e) => e.id));
  const res = await send();
  expect(res.status, res.text).toBe(200);
  return (await outbox(api.orgId)).filter((e) => !before.has(e.id));
}

/**
 * The one event a request recorded, of `type`, asserting that in every
 * version both the event's presentation and the webhook payload say exactly
 * `previous` changed.
 */
async function expectChange(
  api: Client,
  type: string,
  send: () => Promise<{ status: number; text: string }>,
  previous: Record<string, unknown>,
) {
  const events = await recorded(api, send);
  expect(events.map((e) => e.type)).toEqual([type]);
  const [event] = events as [StoredEvent];
  for (const version of API_VERSIONS) {
    expect(presentEvent(event, version).previousAttributes).toEqual(previous);
    const payload = JSON.parse(buildPayload(event, version));
    expect(Object.keys(payload).sort()).toEqual([
      "apiVersion",
      "data",
      "event",
      "id",
      "mode",
      "organizationId",
      "previousAttributes",
      "timestamp",
    ]);
    expect(payload.previousAttributes).toEqual(previous);
  }
  return presentEvent(event, "2026-07-31").data;
}

describe.each(["PATCH", "PUT"] as const)("%s /plan-groups/{id}: previousAttributes", (method) => {
  const update = (api: Client, id: string, body: unknown) => () =>
    api.call(method, `/plan-groups/${id}`, { body });

  it("name, description (set and cleared) and isPublic, each with its value before", async () => {
    const api = await client();
    const group = await createGroup(api, { name: "Before" });
    const after = await expectChange(
      api,
      "plan_group.updated",
      update(api, group.id, { name: "After" }),
      { name: "Before" },
    );
    expect(after).toMatchObject({ name: "After" });
    await expectChange(api, "plan_group.updated", update(api, group.id, { description: "d" }), {
      description: null,
    });
    await expectChange(api, "plan_group.updated", update(api, group.id, { description: null }), {
      description: "d",
    });
    await expectChange(api, "plan_group.updated", update(api, group.id, { isPublic: false }), {
      isPublic: true,
    });
  });

  it("several fields at once: only those that changed", async () => {
    const api = await client();
    const group = await createGroup(api, { name: "G", description: "d" });
    await expectChange(
      api,
      "plan_group.updated",
      update(api, group.id, { name: "G", description: "e", isPublic: false }),
      { description: "d", isPublic: true },
    );
  });

  it("a group with plans: its plans are not a change", async () => {
    const api = await client();
    const { group } = await groupWithPlans(api, 2);
    await expectChange(api, "plan_group.updated", update(api, group.id, { name: "Renamed" }), {
      name: "Group",
    });
  });

  it("an update that changes nothing records no event", async () => {
    const api = await client();
    const group = await createGroup(api, { name: "Same", description: "d", isPublic: false });
    for (const body of [
      {},
      { name: "Same" },
      { name: "Same", description: "d", isPublic: false },
    ]) {
      expect(await recorded(api, update(api, group.id, body))).toEqual([]);
    }
  });
});

describe("PUT /plans/{id}/manage and /visibility: previousAttributes", () => {
  const manage = (api: Client, id: string, body: unknown) => () =>
    api.put(`/plans/${id}/manage`, body);

  it("name, description, metadata (set, replaced, cleared) and isPublic", async () => {
    const api = await client();
    const plan = await createPlan(api, { name: "Before" });
    const after = await expectChange(api, "plan.updated", manage(api, plan.id, { name: "After" }), {
      name: "Before",
    });
    expect(after).toMatchObject({ name: "After" });
    await expectChange(api, "plan.updated", manage(api, plan.id, { description: "d" }), {
      description: null,
    });
    await expectChange(api, "plan.updated", manage(api, plan.id, { description: null }), {
      description: "d",
    });
    await expectChange(
      api,
      "plan.updated",
      manage(api, plan.id, { metadata: { tier: "gold", seats: 3 } }),
      { metadata: null },
    );
    await expectChange(
      api,
      "plan.updated",
      manage(api, plan.id, { metadata: { tier: "silver" } }),
      {
        metadata: { tier: "gold", seats: 3 },
      },
    );
    await expectChange(api, "plan.updated", manage(api, plan.id, { metadata: null }), {
      metadata: { tier: "silver" },
    });
    await expectChange(api, "plan.updated", manage(api, plan.id, { isPublic: false }), {
      isPublic: true,
    });
  });

  it("the visibility route records plan.updated with the visibility before", async () => {
    const api = await client();
    const plan = await createPlan(api);
    const visibility = (isPublic: boolean) => () =>
      api.put(`/plans/${plan.id}/visibility`, { isPublic });
    await expectChange(api, "plan.updated", visibility(false), { isPublic: true });
    await expectChange(api, "plan.updated", visibility(true), { isPublic: false });
    expect(await recorded(api, visibility(true))).toEqual([]);
  });

  it("a plan in a group: only its own fields, its position is not a change", async () => {
    const api = await client();
    const { group } = await groupWithPlans(api, 2);
    const [, second] = (await names(api, group.id)) as [Member, Member];
    await expectChange(
      api,
      "plan.updated",
      manage(api, second.id, { name: "Second", metadata: {} }),
      {
        name: second.name,
        metadata: null,
      },
    );
  });

  it("an update that changes nothing records no event", async () => {
    const api = await client();
    const plan = await createPlan(api, {
      name: "Same",
      description: "d",
      metadata: { a: 1 },
      isPublic: false,
    });
    for (const body of [
      {},
      { name: "Same" },
      { name: "Same", description: "d", metadata: { a: 1 }, isPublic: false },
    ]) {
      expect(await recorded(api, manage(api, plan.id, body))).toEqual([]);
    }
  });
});

describe("PUT /plan-groups/{id}/plans/reorder: previousAttributes", () => {
  const reorder = (api: Client, id: string, planIds: string[]) => () =>
    api.put(`/plan-groups/${id}/plans/reorder`, { planIds });

  it("carries the previous order as plans, each at its old position", async () => {
    const api = await client();
    const { group, planIds } = await groupWithPlans(api, 3);
    const [a, b, c] = planIds as [string, string, string];
    const members = await names(api, group.id);
    const name = (id: string) => members.find((p) => p.id === id)?.name;
    const after = await expectChange(
      api,
      "plan_group.plans_reordered",
      reorder(api, group.id, [c, a, b]),
      {
        plans: [
          { id: a, name: name(a), sortOrder: 0 },
          { id: b, name: name(b), sortOrder: 1 },
          { id: c, name: name(c), sortOrder: 2 },
        ],
      },
    );
    expect(after.plans).toEqual([
      { id: c, name: name(c), sortOrder: 0 },
      { id: a, name: name(a), sortOrder: 1 },
      { id: b, name: name(b), sortOrder: 2 },
    ]);
  });

  it("a reorder that moves only some plans still lists every plan before", async () => {
    const api = await client();
    const { group, planIds } = await groupWithPlans(api, 3);
    const [a, b, c] = planIds as [string, string, string];
    const members = await names(api, group.id);
    const name = (id: string) => members.find((p) => p.id === id)?.name;
    await expectChange(api, "plan_group.plans_reordered", reorder(api, group.id, [b, a, c]), {
      plans: [
        { id: a, name: name(a), sortOrder: 0 },
        { id: b, name: name(b), sortOrder: 1 },
        { id: c, name: name(c), sortOrder: 2 },
      ],
    });
    // And from there, the order this reorder left.
    await expectChange(api, "plan_group.plans_reordered", reorder(api, group.id, [c, b, a]), {
      plans: [
        { id: b, name: name(b), sortOrder: 0 },
        { id: a, name: name(a), sortOrder: 1 },
        { id: c, name: name(c), sortOrder: 2 },
      ],
    });
  });

  it("an order that changes nothing records no event", async () => {
    const api = await client();
    const { group, planIds } = await groupWithPlans(api, 3);
    expect(await recorded(api, reorder(api, group.id, planIds))).toEqual([]);
  });
});

describe("the SDK on a payload with previousAttributes", () => {
  it("@commet/node 7.10.0 verifies and parses it, the extra field included", async () => {
    const api = await client();
    const group = await createGroup(api, { name: "Before" });
    const [event] = await recorded(api, () =>
      api.patch(`/plan-groups/${group.id}`, { name: "After" }),
    );
    if (!event) throw new Error("no event");
    const body = buildPayload(event, "2026-07-11");
    const secret = newSigningSecret();
    process.env.COMMET_NO_UPDATE_CHECK = "1";
    const commet = new Commet({ apiKey: `ck_test_${"a".repeat(40)}`, telemetry: false });
    const parsed = commet.webhooks.verifyAndParse({
      rawBody: body,
      signature: await signCommet(secret, body),
      secret,
    });
    expect(parsed).toMatchObject({
      event: "plan_group.updated",
      data: { name: "After" },
      previousAttributes: { name: "Before" },
    });
  });
});

type Member = { id: string; name: string };

/** The group's members now, in order. */
async function names(api: Client, groupId: string) {
  const res = await api.get<{ data: { plans: Member[] } }>(`/plan-groups/${groupId}`);
  return res.body.data.plans;
}
