import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { pinKvKey } from "../src/versions/ids";
import { countingEnv } from "./helpers/counting";
import { createPlan, groupWithPlans } from "./helpers/factories";
import { insertDelivery, insertEvent } from "./helpers/history";
import { client } from "./helpers/http";
import { createKey, uniqueOrg } from "./helpers/keys";
import { queryPlanProblems } from "./helpers/query-plans";
import { createEndpoint, RecordingQueue } from "./helpers/webhooks";

type Scenario = {
  name: string;
  method: string;
  path: (ids: Ids) => string;
  body?: (ids: Ids) => unknown;
  status: number;
  d1: number;
  /** Round trips to the history database (HISTORY_DB); 0 unless given. */
  history?: number;
};
type Ids = {
  group: string;
  members: string[];
  free: string;
  full: string;
  extra: string;
  event: string;
};

// The cost table in docs/performance.md, "Round trips". A warm isolate has
// the key cached, so KV reads are 0 here; the cold case is tested below.
const scenarios: Scenario[] = [
  {
    name: "create group",
    method: "POST",
    path: () => "/plan-groups",
    body: () => ({ name: "g" }),
    status: 201,
    d1: 1,
  },
  {
    name: "create group: invalid body",
    method: "POST",
    path: () => "/plan-groups",
    body: () => ({}),
    status: 400,
    d1: 0,
  },
  { name: "get group", method: "GET", path: (i) => `/plan-groups/${i.group}`, status: 200, d1: 1 },
  {
    name: "get group: unknown",
    method: "GET",
    path: () => "/plan-groups/pgrp_nope",
    status: 404,
    d1: 1,
  },
  { name: "list groups", method: "GET", path: () => "/plan-groups?limit=100", status: 200, d1: 1 },
  {
    name: "list groups: bad cursor",
    method: "GET",
    path: () => "/plan-groups?cursor=x",
    status: 400,
    d1: 0,
  },
  {
    name: "update group (PUT)",
    method: "PUT",
    path: (i) => `/plan-groups/${i.group}`,
    body: () => ({ name: "n" }),
    status: 200,
    d1: 1,
  },
  {
    name: "update group (PATCH)",
    method: "PATCH",
    path: (i) => `/plan-groups/${i.group}`,
    body: () => ({ isPublic: false }),
    status: 200,
    d1: 1,
  },
  {
    name: "update group: empty body",
    method: "PATCH",
    path: (i) => `/plan-groups/${i.group}`,
    body: () => ({}),
    status: 200,
    d1: 1,
  },
  {
    name: "update group: unknown",
    method: "PUT",
    path: () => "/plan-groups/pgrp_nope",
    body: () => ({ name: "n" }),
    status: 404,
    d1: 1,
  },
  {
    name: "add plan",
    method: "POST",
    path: (i) => `/plan-groups/${i.group}/plans`,
    body: (i) => ({ planId: i.free, sortOrder: 0 }),
    status: 200,
    d1: 1,
  },
  {
    name: "add plan: already grouped",
    method: "POST",
    path: (i) => `/plan-groups/${i.group}/plans`,
    body: (i) => ({ planId: i.members[0] }),
    status: 409,
    d1: 1,
  },
  {
    name: "add plan: unknown plan",
    method: "POST",
    path: (i) => `/plan-groups/${i.group}/plans`,
    body: () => ({ planId: "plan_nope" }),
    status: 404,
    d1: 1,
  },
  {
    name: "add plan: group full",
    method: "POST",
    path: (i) => `/plan-groups/${i.full}/plans`,
    body: (i) => ({ planId: i.extra }),
    status: 409,
    d1: 1,
  },
  {
    name: "reorder",
    method: "PUT",
    path: (i) => `/plan-groups/${i.group}/plans/reorder`,
    body: (i) => ({ planIds: [i.free, ...i.members].reverse() }),
    status: 200,
    d1: 1,
  },
  {
    name: "reorder: wrong list",
    method: "PUT",
    path: (i) => `/plan-groups/${i.group}/plans/reorder`,
    body: (i) => ({ planIds: i.members }),
    status: 400,
    d1: 1,
  },
  {
    name: "remove plan",
    method: "DELETE",
    path: (i) => `/plan-groups/${i.group}/plans/${i.free}`,
    status: 200,
    d1: 1,
  },
  {
    name: "remove plan: not a member",
    method: "DELETE",
    path: (i) => `/plan-groups/${i.group}/plans/${i.free}`,
    status: 404,
    d1: 1,
  },
  {
    name: "create plan",
    method: "POST",
    path: () => "/plans/manage",
    body: () => ({ name: "p", code: "budget_a" }),
    status: 201,
    d1: 1,
  },
  {
    name: "create plan in a group",
    method: "POST",
    path: () => "/plans/manage",
    body: (i) => ({ name: "p", code: "budget_b", planGroupId: i.group }),
    status: 201,
    d1: 1,
  },
  {
    name: "create plan: code taken",
    method: "POST",
    path: () => "/plans/manage",
    body: () => ({ name: "p", code: "budget_a" }),
    status: 409,
    d1: 1,
  },
  {
    name: "list plans",
    method: "GET",
    path: () => "/plans?includePrivate=true&limit=100",
    status: 200,
    d1: 1,
  },
  { name: "get plan by id", method: "GET", path: (i) => `/plans/${i.free}`, status: 200, d1: 1 },
  { name: "get plan by code", method: "GET", path: () => "/plans/budget_a", status: 200, d1: 1 },
  { name: "get plan: unknown", method: "GET", path: () => "/plans/nope", status: 404, d1: 1 },
  {
    name: "update plan",
    method: "PUT",
    path: (i) => `/plans/${i.free}/manage`,
    body: () => ({ name: "n" }),
    status: 200,
    d1: 1,
  },
  {
    name: "update plan: unknown",
    method: "PUT",
    path: () => "/plans/plan_nope/manage",
    body: () => ({ name: "n" }),
    status: 404,
    d1: 1,
  },
  {
    name: "set visibility",
    method: "PUT",
    path: (i) => `/plans/${i.free}/visibility`,
    body: () => ({ isPublic: false }),
    status: 200,
    d1: 1,
  },
  {
    name: "delete plan",
    method: "DELETE",
    path: (i) => `/plans/${i.members[0]}/manage`,
    status: 200,
    d1: 1,
  },
  {
    name: "delete plan: unknown",
    method: "DELETE",
    path: () => "/plans/plan_nope/manage",
    status: 404,
    d1: 1,
  },
  {
    name: "delete group",
    method: "DELETE",
    path: (i) => `/plan-groups/${i.group}`,
    status: 200,
    d1: 1,
  },
  {
    name: "delete group: unknown",
    method: "DELETE",
    path: (i) => `/plan-groups/${i.group}`,
    status: 404,
    d1: 1,
  },
  // Events are read from the outbox and the history at once: one round trip to each.
  {
    name: "list events",
    method: "GET",
    path: () => "/events?limit=100",
    status: 200,
    d1: 1,
    history: 1,
  },
  {
    name: "list events of an object",
    method: "GET",
    path: (i) => `/events?objectId=${i.group}`,
    status: 200,
    d1: 1,
    history: 1,
  },
  {
    name: "list events: every filter",
    method: "GET",
    path: () =>
      "/events?type=plan.created,plan_group.created&createdAfter=2026-01-01T00:00:00Z&createdBefore=2999-01-01T00:00:00Z&deliveryFailed=false",
    status: 200,
    d1: 1,
    history: 1,
  },
  {
    name: "list events: failed deliveries (history only)",
    method: "GET",
    path: () => "/events?deliveryFailed=true",
    status: 200,
    d1: 0,
    history: 1,
  },
  {
    name: "list events: unknown type",
    method: "GET",
    path: () => "/events?type=plan.archived",
    status: 400,
    d1: 0,
  },
  {
    name: "get event",
    method: "GET",
    path: (i) => `/events/${i.event}`,
    status: 200,
    d1: 1,
    history: 1,
  },
  {
    name: "get event: unknown",
    method: "GET",
    path: () => "/events/whev_nope",
    status: 404,
    d1: 1,
    history: 1,
  },
];

/** Every scenario once, in order, on fresh data of its own; returns what each request cost. */
async function runScenarios() {
  const api = await client();
  const { group, planIds } = await groupWithPlans(api, 3);
  const full = await groupWithPlans(api, 100);
  const ids: Ids = {
    group: group.id,
    members: planIds,
    free: (await createPlan(api)).id,
    full: full.group.id,
    extra: (await createPlan(api)).id,
    event: (
      (await api.get<{ data: { id: string }[] }>("/events?limit=1")).body.data[0] ?? { id: "" }
    ).id,
  };
  const counting = countingEnv();
  await counting.request("GET", "/plan-groups", api.key);
  const costs = [];
  for (const s of scenarios) {
    const res = await counting.request(s.method, s.path(ids), api.key, s.body?.(ids));
    costs.push({ name: s.name, status: res.status, ...res.counts, history: res.history });
  }
  return { costs, prepared: counting.prepared, historyPrepared: counting.historyPrepared };
}

describe("round-trip budget", () => {
  it("every endpoint: one D1 round trip at most (to each database), no KV read with a warm key", async () => {
    const { costs } = await runScenarios();
    expect(costs).toEqual(
      scenarios.map((s) => ({
        name: s.name,
        status: s.status,
        d1: s.d1,
        kvGet: 0,
        history: s.history ?? 0,
      })),
    );
  });

  it("every statement of every endpoint reads by index: no table scan, no tenant-wide read of plans or groups", async () => {
    const { prepared, historyPrepared } = await runScenarios();
    expect(prepared.size).toBeGreaterThan(20);
    expect(await queryPlanProblems(prepared)).toEqual([]);
    expect(historyPrepared.size).toBeGreaterThan(2);
    expect(await queryPlanProblems(historyPrepared, env.HISTORY_DB)).toEqual([]);
  });

  it("keyed writes: the claim rides in the write's batch; the stored response is one deferred write", async () => {
    const api = await client();
    const { request } = countingEnv();
    await request("GET", "/plan-groups", api.key);
    const headers = { "Idempotency-Key": `budget-${crypto.randomUUID()}` };
    const first = await request("POST", "/plan-groups", api.key, { name: "g" }, headers);
    expect(first.status).toBe(201);
    // Counted after waitUntil settles: the batch, then the response stored.
    expect(first.counts).toEqual({ d1: 2, kvGet: 0 });
    const replay = await request("POST", "/plan-groups", api.key, { name: "g" }, headers);
    expect(replay.status).toBe(201);
    expect(replay.counts).toEqual({ d1: 2, kvGet: 0 });
  });

  it("auth: one KV read for a cold or unknown key, none when cached; a refused key costs no D1", async () => {
    const { key } = await createKey(uniqueOrg());
    const { request } = countingEnv();
    // The first use of a key in an isolate also notes its lastUsedAt, after the response.
    expect((await request("GET", "/plan-groups", key)).counts).toEqual({ d1: 2, kvGet: 1 });
    expect((await request("GET", "/plan-groups", key)).counts).toEqual({ d1: 1, kvGet: 0 });
    const unknown = `ck_test_${crypto.randomUUID().replaceAll("-", "")}`;
    const refused = await request("GET", "/plan-groups", unknown);
    expect(refused.status).toBe(401);
    expect(refused.counts).toEqual({ d1: 0, kvGet: 1 });
    // Retried from the same isolate, an unknown key costs no second KV read.
    const retried = await request("GET", "/plan-groups", unknown);
    expect({ status: retried.status, ...retried.counts }).toEqual({ status: 401, d1: 0, kvGet: 0 });
    const malformed = await request("GET", "/plan-groups", "nope");
    expect(malformed.counts).toEqual({ d1: 0, kvGet: 0 });
  });

  it("writes record their webhook events in the same one round trip", async () => {
    const orgId = uniqueOrg();
    const api = await client(orgId);
    const { request } = countingEnv();
    await request("GET", "/plans", api.key);
    const eventsOf = async () =>
      (
        await env.DB.prepare("SELECT type FROM webhook_events WHERE org_id = ? ORDER BY id")
          .bind(orgId)
          .all<{ type: string }>()
      ).results.map((r) => r.type);
    const group = await request("POST", "/plan-groups", api.key, { name: "G" });
    expect(group.counts).toEqual({ d1: 1, kvGet: 0 });
    const gid = (group.body.data as { id: string }).id;
    const plan = await request("POST", "/plans", api.key, {
      name: "P",
      code: "p",
      planGroupId: gid,
    });
    expect(plan.counts).toEqual({ d1: 1, kvGet: 0 });
    const pid = (plan.body.data as { id: string }).id;
    expect((await request("PATCH", `/plans/${pid}`, api.key, { name: "Q" })).counts.d1).toBe(1);
    expect((await request("DELETE", `/plans/${pid}`, api.key)).counts.d1).toBe(1);
    // Events of one batch share its millisecond, so compare them as a set.
    expect((await eventsOf()).sort()).toEqual(
      [
        "plan_group.created",
        "plan.created",
        "plan_group.plan_added",
        "plan.updated",
        "plan.deleted",
        "plan_group.plan_removed",
      ].sort(),
    );
  });

  it("versions: the header costs nothing; without it the pin is one KV read, then cached", async () => {
    const orgId = uniqueOrg();
    const { key } = await createKey(orgId);
    await env.API_KEYS.put(pinKvKey(orgId), "2026-07-11");
    const { request } = countingEnv();
    await request("GET", "/plan-groups", key);
    const pinned = await request("GET", "/plan-groups", key, undefined, { "Commet-Version": "" });
    expect(pinned.headers.get("commet-version")).toBe("2026-07-11");
    expect(pinned.counts).toEqual({ d1: 1, kvGet: 1 });
    const warm = await request("GET", "/plan-groups", key, undefined, { "Commet-Version": "" });
    expect(warm.counts).toEqual({ d1: 1, kvGet: 0 });
    const named = await request("GET", "/plan-groups", key, undefined, {
      "Commet-Version": "2026-07-31",
    });
    expect({ version: named.headers.get("commet-version"), ...named.counts }).toEqual({
      version: "2026-07-31",
      d1: 1,
      kvGet: 0,
    });
  });

  it("cost does not grow with data: 100 groups of 100 plans in one round trip", async () => {
    const orgId = uniqueOrg();
    const api = await client(orgId);
    const prefix = orgId.slice(-18).padStart(18, "0");
    // Seeded in SQL: 10,000 plans through the API would test the seeding, not the read.
    await env.DB.batch([
      env.DB.prepare(
        `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 99)
         INSERT INTO plan_groups (id, org_id, mode, name, is_public, created_at, updated_at)
         SELECT 'pgrp_' || ?1 || printf('%08d', i), ?2, 'test', 'g' || i, 1, 0, 0 FROM n`,
      ).bind(prefix, orgId),
      env.DB.prepare(
        `WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 99)
         INSERT INTO plans (id, org_id, mode, code, name, is_public, is_free, plan_group_id, sort_order, created_at, updated_at)
         SELECT 'plan_' || ?1 || printf('%04d%04d', g.i, p.i), ?2, 'test', 'c' || g.i || '_' || p.i, 'p' || p.i, 1, 0,
                'pgrp_' || ?1 || printf('%08d', g.i), p.i, 0, 0
         FROM n AS g, n AS p`,
      ).bind(prefix, orgId),
    ]);
    const { request } = countingEnv();
    await request("GET", "/plan-groups?limit=1", api.key);
    const list = await request("GET", "/plan-groups?limit=100", api.key);
    expect(list.counts).toEqual({ d1: 1, kvGet: 0 });
    const groups = list.body.data as { id: string; plans: { sortOrder: number }[] }[];
    expect(groups).toHaveLength(100);
    for (const g of groups) expect(g.plans.map((p) => p.sortOrder)).toEqual([...Array(100).keys()]);
    const one = await request("GET", `/plan-groups/${groups[0]?.id}`, api.key);
    expect(one.counts).toEqual({ d1: 1, kvGet: 0 });
    expect((one.body.data as { plans: unknown[] }).plans).toHaveLength(100);
  });

  it("webhook deliveries: at most one round trip to the catalog and one to the history", async () => {
    const api = await client();
    const endpoint = await createEndpoint({ orgId: api.orgId, url: "https://hooks.invalid/b" });
    const inactive = await createEndpoint({
      orgId: api.orgId,
      url: "https://hooks.invalid/off",
      isActive: false,
    });
    const event = await insertEvent(endpoint, { createdAt: Date.now() - 60_000 });
    const delivery = await insertDelivery(endpoint, event, { status: "failed", attempts: 6 });
    const counting = countingEnv();
    // Retried and recovered deliveries are queued here, never sent.
    counting.env.WEBHOOK_QUEUE = new RecordingQueue();
    await counting.request("GET", "/plan-groups", api.key);
    const hook = `/webhooks/${endpoint.id}`;
    const since = new Date(Date.now() - 3_600_000).toISOString();
    // [name, method, path, body, status, catalog round trips, history round trips]
    const cases: [string, string, string, unknown, number, number, number][] = [
      ["list deliveries", "GET", `${hook}/deliveries?limit=100`, undefined, 200, 1, 1],
      [
        "list deliveries: every filter",
        "GET",
        `${hook}/deliveries?status=failed&type=plan.created`,
        undefined,
        200,
        1,
        1,
      ],
      [
        "list deliveries: bad status",
        "GET",
        `${hook}/deliveries?status=lost`,
        undefined,
        400,
        0,
        0,
      ],
      [
        "list deliveries: unknown endpoint",
        "GET",
        "/webhooks/whep_nope/deliveries",
        undefined,
        404,
        1,
        1,
      ],
      ["get delivery", "GET", `${hook}/deliveries/${delivery}`, undefined, 200, 1, 1],
      ["get delivery: unknown", "GET", `${hook}/deliveries/whdl_nope`, undefined, 404, 1, 1],
      ["retry delivery", "POST", `${hook}/deliveries/${delivery}/retry`, undefined, 200, 1, 1],
      [
        "retry: unknown delivery",
        "POST",
        `${hook}/deliveries/whdl_nope/retry`,
        undefined,
        404,
        1,
        1,
      ],
      [
        "retry: inactive endpoint",
        "POST",
        `/webhooks/${inactive.id}/deliveries/${delivery}/retry`,
        undefined,
        409,
        1,
        0,
      ],
      ["recover", "POST", `${hook}/recover`, { since }, 200, 1, 1],
      ["recover: bad range", "POST", `${hook}/recover`, { since: "yesterday" }, 400, 0, 0],
    ];
    const costs = [];
    for (const [name, method, path, body] of cases) {
      const res = await counting.request(method, path, api.key, body);
      costs.push([name, res.status, res.counts.d1, res.history, res.counts.kvGet]);
    }
    expect(costs).toEqual(
      cases.map(([name, , , , status, d1, history]) => [name, status, d1, history, 0]),
    );
    // Keyed: the claim rides in the endpoint's claim batch; the answer is stored after it.
    const keyed = await counting.request(
      "POST",
      `${hook}/deliveries/${delivery}/retry`,
      api.key,
      {},
      {
        "Idempotency-Key": `budget-${crypto.randomUUID()}`,
      },
    );
    expect([keyed.status, keyed.counts.d1, keyed.history]).toEqual([200, 2, 1]);
    expect(await queryPlanProblems(counting.historyPrepared, env.HISTORY_DB)).toEqual([]);
  });
});
