import { beforeAll, describe, expect, it } from "vitest";
import { insertDelivery, insertEvent as insertHistoryEvent } from "../helpers/history";
import { type Client, client } from "../helpers/http";
import { uniqueOrg } from "../helpers/keys";
import {
  API_ROUTES,
  type ApiRoute,
  encodeSegment,
  fillPath,
  idKind,
  looksLikeId,
  NOT_FOUND,
  takesCode,
} from "../helpers/routes";

/**
 * Every ID a route takes, in its path or body, is tried with the objects of
 * organization A (test mode) by organization B and by A's live mode. Each
 * must answer exactly like a missing ID and leave A's data untouched. The
 * matrix is built from the route registry, so a new route is covered by
 * being registered.
 */
type World = {
  groupId: string;
  members: string[];
  free: string;
  codes: string[];
  apiKeyId: string;
  webhookId: string;
  /** A delivery to its endpoint (with a webhook endpoint). */
  deliveryId: string;
  /** The newest event of its writes. */
  eventId: string;
};

const SECRET = "secret-of-a";
let codes = 0;
const newCode = () => `iso_${Date.now().toString(36)}_${++codes}`;

/**
 * The objects of one world. Keys and webhook endpoints are made only when
 * `extras` asks (an organization and mode may hold only 16 endpoints, and a
 * viewer of the same organization makes a world per test).
 */
async function makeWorld(
  api: Client,
  label: string,
  extras: { apiKey?: boolean; webhook?: boolean } = { apiKey: true, webhook: true },
): Promise<World> {
  const group = await api.post<{ data: { id: string } }>("/plan-groups", { name: label });
  const ids: string[] = [];
  const planCodes: string[] = [];
  for (let i = 0; i < 3; i++) {
    const code = newCode();
    const res = await api.post<{ data: { id: string } }>("/plans/manage", {
      name: label,
      code,
      description: label,
      ...(i < 2 ? { planGroupId: group.body.data.id } : {}),
    });
    expect(res.status).toBe(201);
    ids.push(res.body.data.id);
    planCodes.push(code);
  }
  let apiKeyId = "";
  if (extras.apiKey) {
    const key = await api.post<{ data: { id: string } }>("/api-keys", { name: label });
    expect(key.status).toBe(201);
    apiKeyId = key.body.data.id;
  }
  let webhookId = "";
  let deliveryId = "";
  if (extras.webhook) {
    const webhook = await api.post<{ data: { id: string } }>("/webhooks", {
      url: `https://${label}.hooks.invalid/hooks`,
      events: ["*"],
      description: label,
    });
    expect(webhook.status).toBe(201);
    webhookId = webhook.body.data.id;
    const endpoint = { id: webhookId, orgId: api.orgId, mode: api.mode, secret: "" };
    deliveryId = await insertDelivery(endpoint, await insertHistoryEvent(endpoint));
  }
  const events = await api.get<{ data: { id: string }[] }>("/events?limit=1");
  return {
    webhookId,
    deliveryId,
    eventId: events.body.data[0]?.id ?? "",
    groupId: group.body.data.id,
    members: ids.slice(0, 2),
    free: ids[2] as string,
    codes: planCodes,
    apiKeyId,
  };
}

type Slot = { route: ApiRoute; field: string; where: "path" | "body" };

/** Every (route, ID field) pair of the app; a field that looks like an ID but is unknown fails here. */
function idSlots(): Slot[] {
  return API_ROUTES.flatMap((route) => [
    ...route.params.map((field) => ({ route, field, where: "path" as const })),
    ...route.bodyFields
      .filter(looksLikeId)
      .map((field) => ({ route, field, where: "body" as const })),
  ]);
}

/** The viewer's own values for a field: candidates, tried in turn until the request succeeds. */
function ownValues(route: ApiRoute, field: string, w: World): unknown[] {
  if (field === "planIds") return [w.members];
  const kind = idKind(route, field);
  if (kind === "group") return [w.groupId];
  if (kind === "apiKey") return [w.apiKeyId];
  if (kind === "webhook") return [w.webhookId];
  if (kind === "event") return [w.eventId];
  if (kind === "delivery") return [w.deliveryId];
  if (kind === "plan")
    return takesCode(route, field) ? [w.free, w.codes[2]] : [w.free, w.members[0]];
  throw new Error(`${route.operationId}: unknown ID field ${field}; teach idKind() about it`);
}

/** Every combination of the viewer's own values for the route's ID fields. */
function ownCombinations(route: ApiRoute, w: World): Record<string, unknown>[] {
  const fields = [...route.params, ...route.bodyFields.filter(looksLikeId)];
  return fields.reduce<Record<string, unknown>[]>(
    (combos, field) =>
      combos.flatMap((combo) => ownValues(route, field, w).map((v) => ({ ...combo, [field]: v }))),
    [{}],
  );
}

/** A's values to smuggle into the field: every object of the right kind, by ID (and code). */
function foreignValues(route: ApiRoute, field: string, a: World, w: World): unknown[] {
  if (field === "planIds")
    return [
      [...w.members, a.members[0]],
      [a.free, ...w.members],
    ];
  if (idKind(route, field) === "group") return [a.groupId];
  if (idKind(route, field) === "apiKey") return [a.apiKeyId];
  if (idKind(route, field) === "webhook") return [a.webhookId];
  if (idKind(route, field) === "event") return [a.eventId];
  if (idKind(route, field) === "delivery") return [a.deliveryId];
  return [a.free, ...a.members, ...(takesCode(route, field) ? a.codes : [])];
}

function request(route: ApiRoute, values: Record<string, unknown>) {
  const segments = Object.fromEntries(
    route.params.map((p) => [p, encodeSegment(String(values[p]))]),
  );
  const path = fillPath(route, segments).replace(/^\/api\/v1/, "");
  if (!["POST", "PUT", "PATCH"].includes(route.method)) return { path, init: {} };
  const body: Record<string, unknown> = { ...route.example };
  if ("code" in body) body.code = newCode();
  for (const field of route.bodyFields) if (field in values) body[field] = values[field];
  return { path, init: { body } };
}

async function snapshot(api: Client) {
  const groups = await api.get("/plan-groups?limit=100");
  const plans = await api.get("/plans?includePrivate=true&limit=100");
  const keys = await api.get("/api-keys?limit=100");
  const webhooks = await api.get("/webhooks?limit=100");
  return JSON.stringify([groups.body, plans.body, keys.body, webhooks.body]);
}

const viewers = [
  { name: "another organization", make: () => client(uniqueOrg(), "test") },
  { name: "the same organization in live mode", make: (orgId: string) => client(orgId, "live") },
];

describe.each(viewers)("objects of organization A seen by $name", (viewer) => {
  let a: Client;
  let aWorld: World;
  let before: string;

  beforeAll(async () => {
    a = await client(uniqueOrg(), "test");
    aWorld = await makeWorld(a, SECRET);
    before = await snapshot(a);
  });

  it.each(idSlots().map((s) => [`${s.route.operationId} ${s.where} ${s.field}`, s] as const))(
    "%s: foreign IDs answer like missing ones",
    async (_, { route, field }) => {
      const v = await viewer.make(a.orgId);
      const kinds = route.params.map((p) => idKind(route, p));
      const own = await makeWorld(v, "viewer", {
        apiKey: kinds.includes("apiKey"),
        webhook: kinds.includes("webhook") || kinds.includes("delivery"),
      });
      const [base = {}] = ownCombinations(route, own);
      for (const foreign of foreignValues(route, field, aWorld, own)) {
        const { path, init } = request(route, { ...base, [field]: foreign });
        const res = await v.call(route.method, path, init);
        const expected =
          field === "planIds"
            ? { status: 400, code: "validation_error" }
            : { status: 404, code: NOT_FOUND[idKind(route, field) ?? "plan"] };
        const got = {
          status: res.status,
          code: res.body.error?.code,
          param: res.body.error?.param,
        };
        expect(got, `${route.method} ${path} ${JSON.stringify(init)}`).toEqual({
          ...expected,
          param: field,
        });
        expect(res.text).not.toContain(SECRET);
      }
      // Control: the same request with the viewer's own objects succeeds, so the
      // 404 above came from the foreign ID and nothing else.
      const statuses: number[] = [];
      for (const values of ownCombinations(route, own)) {
        const { path, init } = request(route, values);
        const res = await v.call(route.method, path, init);
        statuses.push(res.status);
        if (res.status < 300) break;
      }
      expect(statuses.at(-1), `control statuses ${statuses}`).toBeLessThan(300);
    },
    30_000,
  );

  it.each(
    API_ROUTES.filter((r) => r.method === "GET" && r.params.length === 0).map(
      (r) => [r.operationId, r] as const,
    ),
  )("%s lists none of A's objects", async (_, route) => {
    const v = await viewer.make(a.orgId);
    await makeWorld(v, "viewer", {});
    const query = route.queryFields.includes("includePrivate")
      ? "?includePrivate=true&limit=100"
      : "?limit=100";
    const res = await v.get(`${route.path.replace(/^\/api\/v1/, "")}${query}`);
    expect(res.status).toBe(200);
    const ids = [
      aWorld.groupId,
      aWorld.free,
      aWorld.apiKeyId,
      aWorld.webhookId,
      aWorld.eventId,
      aWorld.deliveryId,
      ...aWorld.members,
      ...aWorld.codes,
    ];
    for (const id of [...ids, SECRET]) {
      expect(res.text).not.toContain(id);
    }
  });

  it("left A's objects exactly as they were", async () => {
    expect(await snapshot(a)).toBe(before);
  });
});
