import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { pinKvKey } from "../../src/versions/ids";
import { client } from "../helpers/http";
import { uniqueOrg } from "../helpers/keys";
import { documentedSchema, type EventBody, unwrap } from "./helpers";

type Id = { id: string };

/** A group with a plan, renamed: events of both kinds, one with previousAttributes. */
async function history(version: "2026-07-11" | "2026-07-31", orgId = uniqueOrg()) {
  const api = await client(orgId, "test", version);
  const group = unwrap<Id>((await api.post("/plan-groups", { name: "G" })).body).id;
  await api.post("/plans/manage", { name: "P", code: "p", planGroupId: group });
  await api.patch(`/plan-groups/${group}`, { name: "H" });
  return { api, group };
}

describe.each(["2026-07-11", "2026-07-31"] as const)("events in %s", (version) => {
  it("list and get answer exactly the documented shapes, data in this version", async () => {
    const { api, group } = await history(version);
    const list = await api.get("/events?limit=2");
    expect(list.status, list.text).toBe(200);
    expect(list.headers.get("commet-version")).toBe(version);
    const parsed = documentedSchema("list-events", version).safeParse(list.body);
    expect(parsed.success, parsed.error?.message).toBe(true);
    if (version === "2026-07-11") {
      expect(list.body).toMatchObject({ success: true, hasMore: true });
      expect(list.body).not.toHaveProperty("object");
    } else {
      expect(list.body).toMatchObject({ object: "list", hasMore: true });
      expect(list.body).not.toHaveProperty("success");
    }
    expect(typeof list.body.nextCursor).toBe("string");
    const all = unwrap<EventBody[]>((await api.get("/events")).body);
    expect(all).toHaveLength(4);
    for (const listed of all) {
      const one = await api.get(`/events/${listed.id}`);
      expect(one.headers.get("commet-version")).toBe(version);
      const checked = documentedSchema("get-event", version).safeParse(one.body);
      expect(checked.success, checked.error?.message).toBe(true);
      if (version === "2026-07-11") expect(one.body).toMatchObject({ success: true });
      const event = unwrap<EventBody>(one.body);
      expect(event).toEqual(listed);
      expect(event.apiVersion).toBe(version);
    }
    const plan = all.find((e) => e.type === "plan.created")?.data;
    const groupEvent = all.find((e) => e.type === "plan_group.updated");
    expect(groupEvent?.previousAttributes).toEqual({ name: "G" });
    expect(groupEvent?.data).toMatchObject({ id: group, name: "H", plans: [{ sortOrder: 0 }] });
    if (version === "2026-07-31") {
      expect(plan).toMatchObject({ features: [], prices: [], exchangeRates: [] });
    } else {
      expect(plan).not.toHaveProperty("features");
    }
  });

  it("errors come in this version's error body", async () => {
    const { api } = await history(version);
    const res = await api.get("/events/whev_missing");
    expect(res.status).toBe(404);
    expect(res.headers.get("commet-version")).toBe(version);
    const body = res.body as { success?: boolean; error: { code: string; param: string } };
    expect(body.error).toMatchObject({ code: "event_not_found", param: "id" });
    expect("success" in body).toBe(version === "2026-07-11");
  });
});

it("one event, read in each version: the same event, data in the reader's version", async () => {
  const orgId = uniqueOrg();
  const { api } = await history("2026-07-11", orgId);
  const current = await client(orgId, "test", "2026-07-31");
  const legacy = unwrap<EventBody[]>((await api.get("/events?type=plan.created")).body)[0];
  const now = unwrap<EventBody[]>((await current.get("/events?type=plan.created")).body)[0];
  expect(now?.id).toBe(legacy?.id);
  expect(now?.request).toEqual(legacy?.request);
  expect(legacy?.apiVersion).toBe("2026-07-11");
  expect(now?.apiVersion).toBe("2026-07-31");
  expect(now?.data).toEqual({ ...legacy?.data, features: [], prices: [], exchangeRates: [] });
});

it("without Commet-Version: the organization's pin shapes the events", async () => {
  const orgId = uniqueOrg();
  const api = await client(orgId, "test", null);
  await env.API_KEYS.put(pinKvKey(orgId), "2026-07-11");
  await api.post("/plan-groups", { name: "G" });
  const res = await api.get("/events");
  expect(res.headers.get("commet-version")).toBe("2026-07-11");
  expect(res.body).toMatchObject({ success: true, data: [{ apiVersion: "2026-07-11" }] });
});
