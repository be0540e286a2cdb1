import type { Load, Request } from "./load";
import { type Api, call, type FloorSeed, type Seeded, VERSION_HEADER } from "./seed";

export type Kind = "read" | "write" | "context";

/** One service endpoint and the floor route doing the same D1 work, measured side by side. */
export type Pair = {
  name: string;
  kind: Kind;
  floorRoute: string;
  service: Load;
  floor: Load;
  /** Puts the data back after a run, so every run starts from the same state. */
  reset?: () => Promise<void>;
};

const json = { "content-type": "application/json" };

export function pairs(
  api: Api,
  seeded: Seeded & { endpointId: string },
  floorUrl: string,
  floor: FloorSeed,
): Pair[] {
  const auth = { "x-api-key": api.key, ...VERSION_HEADER };
  const get = (path: string): Request[] => [{ method: "GET", path, headers: auth }];
  const floorGet = (path: string): Load => ({ url: floorUrl, requests: [{ method: "GET", path }] });
  const floorSelect = floorGet(`/plans/${floor.planIds[3] ?? floor.planIds[0]}`);
  const floorBatch = (bodies: unknown[]): Load => ({
    url: floorUrl,
    requests: bodies.map((body) => ({
      method: "POST",
      path: `/groups/${floor.groupId}/touch`,
      headers: json,
      body: JSON.stringify(body),
    })),
  });
  const group = `/api/v1/plan-groups/${seeded.groupId}`;
  const reversed = [...seeded.memberIds].reverse();
  const freePlan = (connection: number) => {
    const planId = seeded.freePlanIds[connection];
    if (!planId) throw new Error(`no free plan for connection ${connection}`);
    return planId;
  };
  const addRemove = (connection: number): Request[] => {
    const planId = freePlan(connection);
    return [
      {
        method: "POST",
        path: `${group}/plans`,
        headers: { ...auth, ...json },
        body: JSON.stringify({ planId }),
      },
      { method: "DELETE", path: `${group}/plans/${planId}`, headers: auth },
    ];
  };

  return [
    {
      name: "GET /health",
      kind: "context",
      floorRoute: "GET /noop",
      service: { url: api.url, requests: [{ method: "GET", path: "/health" }] },
      floor: { url: floorUrl, requests: [{ method: "GET", path: "/noop" }] },
    },
    {
      name: `get group (${seeded.memberIds.length} plans)`,
      kind: "read",
      floorRoute: "group SELECT",
      service: { url: api.url, requests: get(group) },
      // The same group with its members as one JSON column, as the service reads it.
      floor: floorGet(`/groups/${floor.groupId}`),
    },
    {
      name: "list groups (20)",
      kind: "read",
      floorRoute: "page SELECT",
      service: { url: api.url, requests: get("/api/v1/plan-groups") },
      // The same page of rows as the service reads, returned as D1 gives them.
      floor: floorGet("/groups"),
    },
    {
      name: "list plans (20)",
      kind: "read",
      floorRoute: "page SELECT",
      service: { url: api.url, requests: get("/api/v1/plans") },
      floor: floorGet("/plans"),
    },
    {
      name: "list events (20)",
      kind: "read",
      floorRoute: "2-db page SELECT",
      service: { url: api.url, requests: get("/api/v1/events") },
      // A page from each database at once, as the service reads it.
      floor: floorGet("/events"),
    },
    {
      name: "list deliveries (20)",
      kind: "read",
      floorRoute: "PK + page SELECT",
      service: {
        url: api.url,
        requests: get(`/api/v1/webhooks/${seeded.endpointId}/deliveries`),
      },
      // The endpoint (catalog) and a page of its deliveries (history) at once.
      floor: floorGet(`/webhooks/${floor.endpointId}/deliveries`),
    },
    {
      name: "get plan",
      kind: "read",
      floorRoute: "PK SELECT",
      service: { url: api.url, requests: get(`/api/v1/plans/${seeded.memberIds[0]}`) },
      floor: floorSelect,
    },
    {
      name: `reorder ${seeded.memberIds.length}`,
      kind: "write",
      floorRoute: "2-stmt batch",
      service: {
        url: api.url,
        requests: [reversed, seeded.memberIds].map((planIds) => ({
          method: "PUT",
          path: `${group}/plans/reorder`,
          headers: { ...auth, ...json },
          body: JSON.stringify({ planIds }),
        })),
      },
      floor: floorBatch([{ planIds: reversed }, { planIds: seeded.memberIds }]),
    },
    {
      name: "add+remove plan",
      kind: "write",
      floorRoute: "2-stmt batch",
      service: { url: api.url, requests: addRemove(0), perConnection: addRemove },
      floor: floorBatch([{ planId: freePlan(0) }]),
      // A run can stop between a connection's add and its remove, and requests
      // in flight when autocannon returns still land: let them, then clean up.
      reset: async () => {
        await new Promise((r) => setTimeout(r, 1000));
        await Promise.all(
          seeded.freePlanIds.map((planId) =>
            fetch(`${api.url}${group}/plans/${planId}`, { method: "DELETE", headers: auth }).then(
              (res) => res.arrayBuffer(),
            ),
          ),
        );
        const { plans } = await call<{ plans: unknown[] }>(api, "GET", group);
        if (plans.length !== seeded.memberIds.length) {
          throw new Error(
            `after add+remove the group has ${plans.length} plans, not ${seeded.memberIds.length}`,
          );
        }
      },
    },
  ];
}

/** Sends one cycle of a load once and insists on 2xx, so nothing benchmarks an error path. */
export async function check(load: Load) {
  for (const req of load.perConnection?.(0) ?? load.requests) {
    const res = await fetch(`${load.url}${req.path ?? "/"}`, {
      method: req.method ?? "GET",
      headers: (req.headers ?? {}) as Record<string, string>,
      ...(req.body === undefined ? {} : { body: req.body.toString() }),
    });
    const text = await res.text();
    if (!res.ok) {
      throw new Error(`${req.method} ${load.url}${req.path}: ${res.status} ${text.slice(0, 300)}`);
    }
  }
}
