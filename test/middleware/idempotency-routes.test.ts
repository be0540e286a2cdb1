import { describe, expect, it } from "vitest";
import app from "../../src/app";
import { insertDelivery, insertEvent } from "../helpers/history";
import { type Client, client } from "../helpers/http";
import { keyed, newIdempotencyKey, untilStored } from "../helpers/idempotency";

type Keyed = { method: string; path: string; body: unknown };
type Id = { data: { id: string } };

async function fixtures(c: Client) {
  const webhook = (
    await c.post<Id>("/webhooks", { url: "http://hooks.invalid:9/w", events: ["plan.created"] })
  ).body.data.id;
  const group = (await c.post<Id>("/plan-groups", { name: "G" })).body.data.id;
  const plan = (await c.post<Id>("/plans/manage", { name: "P", code: "p", planGroupId: group }))
    .body.data.id;
  const loose = (await c.post<Id>("/plans/manage", { name: "L", code: "l" })).body.data.id;
  const endpoint = { id: webhook, orgId: c.orgId, mode: c.mode, secret: "" };
  const delivery = await insertDelivery(endpoint, await insertEvent(endpoint));
  return { group, plan, loose, webhook, delivery };
}

/**
 * Every keyed write route, with a valid request. The claim rides in the
 * query's batch, so a write that bypassed batch() would go unprotected:
 * this table, checked against the app's routes, keeps every route covered.
 */
const writes: Record<string, (f: Awaited<ReturnType<typeof fixtures>>) => Keyed> = {
  "POST /api/v1/plan-groups": () => ({ method: "POST", path: "/plan-groups", body: { name: "N" } }),
  "PUT /api/v1/plan-groups/:id": (f) => ({
    method: "PUT",
    path: `/plan-groups/${f.group}`,
    body: { name: "Renamed" },
  }),
  "PATCH /api/v1/plan-groups/:id": (f) => ({
    method: "PATCH",
    path: `/plan-groups/${f.group}`,
    body: { isPublic: false },
  }),
  "POST /api/v1/plan-groups/:id/plans": (f) => ({
    method: "POST",
    path: `/plan-groups/${f.group}/plans`,
    body: { planId: f.loose, sortOrder: 0 },
  }),
  "PUT /api/v1/plan-groups/:id/plans/reorder": (f) => ({
    method: "PUT",
    path: `/plan-groups/${f.group}/plans/reorder`,
    body: { planIds: [f.plan] },
  }),
  "POST /api/v1/plans/manage": () => ({
    method: "POST",
    path: "/plans/manage",
    body: { name: "New", code: "new" },
  }),
  "POST /api/v1/plans": () => ({
    method: "POST",
    path: "/plans",
    body: { name: "Newer", code: "newer" },
  }),
  "PATCH /api/v1/plans/:id": (f) => ({
    method: "PATCH",
    path: `/plans/${f.plan}`,
    body: { description: "patched" },
  }),
  "PUT /api/v1/plans/:id/manage": (f) => ({
    method: "PUT",
    path: `/plans/${f.plan}/manage`,
    body: { name: "Renamed" },
  }),
  "POST /api/v1/api-keys": () => ({
    method: "POST",
    path: "/api-keys",
    body: { name: "rotated" },
  }),
  "POST /api/v1/webhooks": () => ({
    method: "POST",
    path: "/webhooks",
    body: { url: "https://hooks.invalid/hooks", events: ["*"] },
  }),
  "PATCH /api/v1/webhooks/:id": (f) => ({
    method: "PATCH",
    path: `/webhooks/${f.webhook}`,
    body: { isActive: false },
  }),
  "POST /api/v1/webhooks/:id/test": (f) => ({
    method: "POST",
    path: `/webhooks/${f.webhook}/test`,
    body: {},
  }),
  "POST /api/v1/webhooks/:id/deliveries/:deliveryId/retry": (f) => ({
    method: "POST",
    path: `/webhooks/${f.webhook}/deliveries/${f.delivery}/retry`,
    body: {},
  }),
  "POST /api/v1/webhooks/:id/recover": (f) => ({
    method: "POST",
    path: `/webhooks/${f.webhook}/recover`,
    body: { since: new Date(Date.now() - 3_600_000).toISOString() },
  }),
  "PUT /api/v1/webhooks/:id": (f) => ({
    method: "PUT",
    path: `/webhooks/${f.webhook}`,
    body: { description: "put" },
  }),
  "PUT /api/v1/plans/:id/visibility": (f) => ({
    method: "PUT",
    path: `/plans/${f.plan}/visibility`,
    body: { isPublic: false },
  }),
};

describe("Idempotency-Key on every write route", () => {
  it("covers every POST, PUT and PATCH route of the API", () => {
    const routes = app.routes
      .filter((r) => ["POST", "PUT", "PATCH"].includes(r.method) && r.path.startsWith("/api/"))
      .map((r) => `${r.method} ${r.path}`);
    expect([...new Set(routes)].sort()).toEqual(Object.keys(writes).sort());
  });

  for (const [route, build] of Object.entries(writes)) {
    it(`${route}: claims the key in its write and replays the response`, async () => {
      const c = await client();
      const { method, path, body } = build(await fixtures(c));
      const key = newIdempotencyKey();
      const first = await keyed(c, method, path, key, body);
      expect(first.status).toBeLessThan(300);
      const stored = await untilStored(c.orgId, key);
      expect(stored.status_code).toBe(first.status);
      const retry = await keyed(c, method, path, key, body);
      expect(retry.status).toBe(first.status);
      expect(retry.text).toBe(first.text);
      expect(retry.headers.get("idempotent-replayed")).toBe("true");
    });
  }
});
