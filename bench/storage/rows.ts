/**
 * Typical rows of every table of both databases, shaped after what the code
 * writes (src/plan-groups/queries.ts groupSnapshot for event data,
 * src/webhooks/outbox.ts, src/history/hand-off.ts, src/history/deliveries.ts,
 * src/idempotency/records.ts, ...). Used by
 * `npm run storage:measure` (bench/storage/) and by
 * test/history/storage.test.ts, which holds the measured sizes to bounds.
 */
import { newId } from "../../src/lib/ids";

type Value = string | number | null;
export type Row = Record<string, Value>;

/** Where a table lives: the catalog (binding DB) or the history (HISTORY_DB). */
type Database = "catalog" | "history";

export type Sample = {
  database: Database;
  table: string;
  /** What the typical row is, for the report. */
  label: string;
  /** The `i`th row of a run; rows are made in time order, as the service makes them. */
  row: (i: number) => Row;
};

/** Rows made by a run: spread over this many organizations, each with a few groups and endpoints. */
const ORGS = 50;
const GROUPS_PER_ORG = 10;
const ENDPOINTS_PER_ORG = 2;
/** Plans in the typical group an event carries. */
const PLANS_PER_GROUP = 4;
/** The API's own excerpt cut (src/webhooks/post.ts EXCERPT_CHARS). */
const EXCERPT_CHARS = 256;
/**
 * Fewest rows a measurement may insert: the plan_groups sample's first rows
 * are the groups the plans sample's rows belong to (plans.plan_group_id
 * references them).
 */
export const MIN_ROWS = ORGS * GROUPS_PER_ORG;

/** A small deterministic generator, so two runs make the same mix. */
function random(seed: number) {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r ^= r + Math.imul(r ^ (r >>> 7), 61 | r);
    return ((r ^ (r >>> 14)) >>> 0) / 2 ** 32;
  };
}

const rand = random(22);
const pick = (n: number) => Math.floor(rand() * n);
const hex = (bytes: number) =>
  Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (b) =>
    b.toString(16).padStart(2, "0"),
  ).join("");
const base64 = (bytes: number) =>
  btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(bytes))));
const uuid = () => crypto.randomUUID();

/**
 * The organizations, each with its groups and endpoints, made on first use
 * (workerd allows no random values at the top level of a module).
 */
let world: { orgs: string[]; groups: string[][]; endpoints: string[][] } | undefined;
function theWorld() {
  world ??= {
    orgs: Array.from({ length: ORGS }, () => `org_${hex(12)}`),
    groups: Array.from({ length: ORGS }, () =>
      Array.from({ length: GROUPS_PER_ORG }, () => newId("pgrp")),
    ),
    endpoints: Array.from({ length: ORGS }, () =>
      Array.from({ length: ENDPOINTS_PER_ORG }, () => newId("whep")),
    ),
  };
  return world;
}

/** Times of a run: one row every 50 ms from a fixed start, like a busy afternoon. */
export const RUN_START = Date.UTC(2026, 7, 3, 12);
const at = (i: number) => RUN_START + i * 50;

/** The JSON an event of a plan group carries (groupSnapshot): the group and its members. */
function groupJson(id: string, time: number, plans = PLANS_PER_GROUP): string {
  const names = ["Free", "Starter", "Pro", "Business", "Enterprise", "Scale"];
  return JSON.stringify({
    id,
    name: "Self-serve plans",
    description: "The upgrade path offered to self-serve customers",
    isPublic: true,
    createdAt: time - 86_400_000,
    updatedAt: time,
    plans: Array.from({ length: plans }, (_, n) => ({
      id: newId("plan", time - n),
      name: names[n % names.length],
      sortOrder: n,
    })),
  });
}

export type Owner = { orgId: string; mode: string; groupId: string; endpointId: string };

/** The owner of row `i`: an organization, one of its groups and endpoints. */
export function owner(i: number): Owner {
  const { orgs, groups, endpoints } = theWorld();
  const o = pick(ORGS);
  return {
    orgId: orgs[o] as string,
    mode: i % 5 === 0 ? "test" : "live",
    groupId: groups[o]?.[pick(GROUPS_PER_ORG)] as string,
    endpointId: endpoints[o]?.[pick(ENDPOINTS_PER_ORG)] as string,
  };
}

/** A plan answer in the current version's shape: what an Idempotency-Key record stores. */
function planAnswer(id: string, time: number): string {
  const iso = new Date(time).toISOString();
  return JSON.stringify({
    object: "plan",
    livemode: true,
    id,
    code: "pro-monthly",
    name: "Pro (monthly)",
    description: "For growing teams: metered usage with a monthly allowance",
    consumptionModel: "metered",
    isPublic: true,
    isDefault: false,
    isFree: false,
    blockOnExhaustion: null,
    sortOrder: 2,
    planGroupId: null,
    metadata: { tier: "pro", seats: 10 },
    createdAt: iso,
    updatedAt: iso,
    features: [],
    prices: [],
    exchangeRates: [],
  });
}

/** An event as the outbox and the history hold it: a group change, `previous` on updates and reorders. */
export function eventRow(
  i: number,
  withPrevious: boolean,
  time = at(i),
  { orgId, mode, groupId } = owner(i),
): Row & { id: string } {
  return {
    id: newId("whev", time),
    org_id: orgId,
    mode,
    type: withPrevious ? "plan_group.plans_reordered" : "plan_group.plan_added",
    data: groupJson(groupId, time),
    previous: withPrevious ? groupJson(groupId, time - 60_000) : null,
    request_id: `req_${uuid().replace(/-/g, "")}`,
    idempotency_key: uuid(),
    created_at: time,
  };
}

/** An event as the history holds it: the outbox's columns and the ID of the object in `data`. */
export function historyEventRow(
  i: number,
  withPrevious: boolean,
  time = at(i),
  who = owner(i),
): Row & { id: string } {
  const row = eventRow(i, withPrevious, time, who);
  return { ...row, object_id: (JSON.parse(String(row.data)) as { id: string }).id };
}

/** A delivery at rest: attempted once, succeeded. */
export function deliveryRow(
  i: number,
  time = at(i),
  { orgId, mode, endpointId } = owner(i),
): Row & { id: string } {
  return {
    id: newId("whdl", time),
    event_id: newId("whev", time),
    endpoint_id: endpointId,
    org_id: orgId,
    mode,
    type: "plan_group.plan_added",
    status: "succeeded",
    attempts: 1,
    next_attempt_at: null,
    created_at: time,
    completed_at: time + 180,
    sending_until: null,
    recovered_at: null,
  };
}

/** An answered attempt with a full excerpt of the receiver's answer. */
export function attemptRow(i: number, time = at(i), { endpointId } = owner(i)): Row {
  const excerpt = `{"received":true,"id":"${newId("whev", time)}","note":"${"x".repeat(EXCERPT_CHARS)}`;
  return {
    id: newId("what", time),
    delivery_id: newId("whdl", time),
    endpoint_id: endpointId,
    event_id: newId("whev", time),
    attempt: 1,
    status_code: 200,
    duration_ms: 143,
    error: null,
    response_excerpt: excerpt.slice(0, EXCERPT_CHARS),
    created_at: time + 180,
  };
}

export const SAMPLES: Sample[] = [
  {
    database: "catalog",
    table: "plan_groups",
    label: "a group with a name and a description",
    row: (i) => {
      const { orgs, groups } = theWorld();
      const o = i % ORGS;
      const { orgId, mode } = i < MIN_ROWS ? { orgId: orgs[o] as string, mode: "live" } : owner(i);
      return {
        id: i < MIN_ROWS ? (groups[o]?.[Math.floor(i / ORGS)] as string) : newId("pgrp", at(i)),
        org_id: orgId,
        mode,
        name: "Self-serve plans",
        description: "The upgrade path offered to self-serve customers",
        is_public: 1,
        created_at: at(i),
        updated_at: at(i),
      };
    },
  },
  {
    database: "catalog",
    table: "plans",
    label: "a grouped plan with a description and metadata",
    row: (i) => {
      const { orgId, mode, groupId } = owner(i);
      return {
        id: newId("plan", at(i)),
        org_id: orgId,
        mode,
        code: `pro-monthly-${i}`,
        name: "Pro (monthly)",
        description: "For growing teams: metered usage with a monthly allowance",
        consumption_model: "metered",
        is_public: 1,
        is_free: 0,
        block_on_exhaustion: null,
        metadata: '{"tier":"pro","seats":10}',
        plan_group_id: groupId,
        // Unique per group: each row takes the next position.
        sort_order: i,
        created_at: at(i),
        updated_at: at(i),
        deleted_at: null,
      };
    },
  },
  {
    database: "catalog",
    table: "idempotency_keys",
    label: "a keyed plan create with its stored answer (about 480 B of JSON)",
    row: (i) => {
      const { orgId, mode } = owner(i);
      const plan = newId("plan", at(i));
      return {
        org_id: orgId,
        mode,
        key: uuid(),
        method: "POST",
        path: "/api/v1/plans",
        body_hash: hex(32),
        status_code: 201,
        response_body: planAnswer(plan, at(i)),
        created_at: at(i),
        claim_id: uuid(),
        version: "2026-07-31",
        resource_id: plan,
        finished_at: at(i) + 40,
      };
    },
  },
  {
    database: "catalog",
    table: "webhook_endpoints",
    label: "an endpoint with four event names and its sealed secret",
    row: (i) => {
      const { orgId, mode } = owner(i);
      return {
        id: newId("whep", at(i)),
        org_id: orgId,
        mode,
        url: "https://hooks.merchant-example.com/commet/webhooks",
        events: '["plan_group.created","plan_group.updated","plan.created","plan.updated"]',
        description: "Billing sync",
        is_active: 1,
        api_version: null,
        // enc:v2:<key id>:base64(iv | AES-GCM of the 50-character whsec_ secret | tag)
        secret: `enc:v2:${hex(4)}:${base64(12 + 50 + 16)}`,
        failing_since: null,
        failed_attempts: 0,
        last_failed_at: null,
        created_at: at(i),
        updated_at: at(i),
      };
    },
  },
  {
    database: "catalog",
    table: "api_keys",
    label: "a listed key, used, never revoked",
    row: (i) => {
      const { orgId, mode } = owner(i);
      return {
        id: newId("key", at(i)),
        org_id: orgId,
        mode,
        name: "production backend",
        prefix: `ck_${mode}_${base64(3).replace(/[+/=]/g, "x")}`.slice(0, 12),
        tier: "standard",
        kv_key: `apikey:${hex(32)}`,
        created_at: at(i),
        expires_at: null,
        last_used_at: at(i) + 1000,
        revoked_at: null,
        created_by: null,
      };
    },
  },
  {
    database: "catalog",
    table: "service_state",
    label: "a job's position (a handful of rows in all)",
    row: (i) => ({
      name: `reencryption:${i}`,
      value: JSON.stringify({ phase: "secrets", after: newId("whep", at(i)), found: 12 }),
      updated_at: at(i),
    }),
  },
  {
    database: "catalog",
    table: "webhook_events",
    label: "outbox: a group event (4 plans), handed on",
    row: (i) => ({ ...eventRow(i, false), dispatched_at: at(i) + 150, requeued_at: null }),
  },
  {
    database: "catalog",
    table: "webhook_events",
    label: "outbox: the same with `previous` (updates, reorders)",
    row: (i) => ({ ...eventRow(i, true), dispatched_at: at(i) + 150, requeued_at: null }),
  },
  {
    database: "history",
    table: "events",
    label: "a group event (4 plans)",
    row: (i) => historyEventRow(i, false),
  },
  {
    database: "history",
    table: "events",
    label: "the same with `previous` (updates, reorders)",
    row: (i) => historyEventRow(i, true),
  },
  {
    database: "history",
    table: "deliveries",
    label: "a delivery that succeeded",
    row: (i) => deliveryRow(i),
  },
  {
    database: "history",
    table: "attempts",
    label: `an answered attempt with a ${EXCERPT_CHARS}-character excerpt`,
    row: (i) => attemptRow(i),
  },
];
