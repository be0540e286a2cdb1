import { type Context, Hono } from "hono";
import { EVENT_TYPES as SERVICE_EVENT_TYPES } from "../../../src/webhooks/events";

type Env = {
  Bindings: {
    DB: D1Database;
    HISTORY_DB: D1Database;
    // Only in the attribution run's config (bench/gap.ts): never in `npm run bench`'s.
    GAP_RATE_LIMITER?: RateLimit;
    GAP_QUEUE?: Queue<{ kind: "event"; eventId: string }>;
  };
};

/**
 * No auth, no validation, no ORM, no envelope: what is left is the cost of the
 * runtime, the router and one D1 round trip, which the service cannot beat.
 */
const app = new Hono<Env>();
const ORG = "org_floor";

app.get("/noop", (c) => c.json({ ok: true }));

app.get("/plans/:id", async (c) => {
  const row = await c.env.DB.prepare("SELECT * FROM plans WHERE id = ?1")
    .bind(c.req.param("id"))
    .first();
  return row ? c.json(row) : c.json({ error: "not found" }, 404);
});

// The body is parsed, as the service must, but nothing in it is checked.
app.post("/groups/:id/touch", async (c) => {
  await c.req.json();
  const id = c.req.param("id");
  const now = Date.now();
  await c.env.DB.batch([
    c.env.DB.prepare("UPDATE plan_groups SET updated_at = ?1 WHERE id = ?2").bind(now, id),
    c.env.DB.prepare(
      "UPDATE plans SET updated_at = ?1 WHERE plan_group_id = ?2 AND org_id = ?3 AND mode = 'test' AND sort_order = 0",
    ).bind(now, id, ORG),
  ]);
  return c.json({ ok: true });
});

// One group with its members as one JSON column, in one statement, as the
// service reads it (src/membership/membership.ts, membersJson).
const MEMBERS = `(SELECT coalesce(json_group_array(json_object('id', m.id, 'name', m.name, 'sortOrder', m.sort_order)), '[]')
  FROM (SELECT id, name, sort_order FROM plans
        WHERE plan_group_id = g.id AND org_id = ?1 AND mode = 'test' ORDER BY sort_order) AS m) AS plans`;

app.get("/groups/:id", async (c) => {
  const row = await c.env.DB.prepare(
    `SELECT g.id, g.name, g.description, g.is_public, g.created_at, g.updated_at, ${MEMBERS}
     FROM plan_groups AS g WHERE g.id = ?2 AND g.org_id = ?1 AND g.mode = 'test'`,
  )
    .bind(ORG, c.req.param("id"))
    .first();
  return row ? c.json(row) : c.json({ error: "not found" }, 404);
});

// A page as the service's lists read it: 21 rows (one more tells whether
// there is a next page), newest first, in one statement. No cursor, no
// decoding, no presentation: the rows go out as D1 returned them.
app.get("/groups", async (c) => {
  const { results } = await c.env.DB.prepare(
    `SELECT g.id, g.name, g.description, g.is_public, g.created_at, g.updated_at, ${MEMBERS}
     FROM plan_groups AS g WHERE g.org_id = ?1 AND g.mode = 'test' ORDER BY g.id DESC LIMIT 21`,
  )
    .bind(ORG)
    .all();
  return c.json(results);
});

app.get("/plans", async (c) => {
  const { results } = await c.env.DB.prepare(
    "SELECT * FROM plans WHERE org_id = ?1 AND mode = 'test' AND deleted_at IS NULL AND is_public = 1 ORDER BY id DESC LIMIT 21",
  )
    .bind(ORG)
    .all();
  return c.json(results);
});

// The events list reads a page from each database at once (an event is in
// the catalog's outbox until it is handed on and purged, in history after):
// the page goes out as history's D1 rows, without the merge.
app.get("/events", async (c) => {
  const columns = "id, org_id, mode, type, data, previous, request_id, idempotency_key, created_at";
  const [history] = await Promise.all([
    c.env.HISTORY_DB.prepare(
      `SELECT ${columns} FROM events WHERE org_id = ?1 AND mode = 'test' ORDER BY id DESC LIMIT 21`,
    )
      .bind(ORG)
      .all(),
    c.env.DB.prepare(
      `SELECT ${columns} FROM webhook_events WHERE org_id = ?1 AND mode = 'test' ORDER BY id DESC LIMIT 21`,
    )
      .bind(ORG)
      .all(),
  ]);
  return c.json(history.results);
});

// The endpoint from the catalog and a page of its deliveries, each with its
// last 5 attempts as a JSON column, from history: at once, as the service does.
app.get("/webhooks/:id/deliveries", async (c) => {
  const id = c.req.param("id");
  const [endpoint, page] = await Promise.all([
    c.env.DB.prepare(
      "SELECT * FROM webhook_endpoints WHERE id = ?1 AND org_id = ?2 AND mode = 'test'",
    )
      .bind(id, ORG)
      .first(),
    c.env.HISTORY_DB.prepare(
      `SELECT d.id, d.endpoint_id, d.event_id, d.type, d.status, d.attempts, d.next_attempt_at, d.created_at,
         (SELECT json_group_array(json_object('n', n, 'at', at, 'status', status, 'ms', ms, 'error', error, 'excerpt', excerpt))
          FROM (SELECT attempt AS n, created_at AS at, status_code AS status, duration_ms AS ms, error, response_excerpt AS excerpt
                FROM attempts WHERE delivery_id = d.id ORDER BY attempt DESC LIMIT 5)) AS attempts
       FROM deliveries AS d WHERE d.endpoint_id = ?1 AND d.org_id = ?2 AND d.mode = 'test' ORDER BY d.id DESC LIMIT 21`,
    )
      .bind(id, ORG)
      .all(),
  ]);
  return endpoint ? c.json(page.results) : c.json({ error: "not found" }, 404);
});

/*
 * Attribution variants (bench/gap.ts), never part of `npm run bench`'s pairs:
 * each floor route below again, under /gap/<variant>/, plus ONE cost the
 * service pays and the floor does not (`all`: every one of them the service
 * pays as benchmarked, so not the rate limiter, which its unlimited key skips):
 *   headers    the service's response headers, captured from it (POST /gap/fixtures)
 *   body       the service's response body, captured likewise
 *   ratelimit  a RATE_LIMITER.limit call, as the service makes for a limited key
 *   sql        the service's statements, copied from bench/.state/cost/statements.json
 *   queue      (writes) the event's queue message, sent in waitUntil
 */
type Variant = "headers" | "body" | "ratelimit" | "sql" | "queue" | "all";
const VARIANTS = new Set<string>(["headers", "body", "ratelimit", "sql", "queue", "all"]);
type Fixture = { headers: [string, string][]; body: string };
const fixtures = new Map<string, Fixture>();

app.post("/gap/fixtures", async (c) => {
  const body = await c.req.json<Record<string, Fixture>>();
  for (const [name, fixture] of Object.entries(body)) fixtures.set(name, fixture);
  return c.json({ ok: true, fixtures: fixtures.size });
});

app.post("/gap/cleanup", async (c) => {
  const group = c.req.query("group") ?? "";
  await c.env.DB.batch([
    c.env.DB.prepare("DELETE FROM webhook_events WHERE id LIKE 'whev_gap_%'"),
    // Seeded order (plan_floor_0003 is 3rd), whatever the sql variant left.
    c.env.DB.prepare(
      "UPDATE plans SET sort_order = CAST(substr(id, 12) AS INTEGER) WHERE plan_group_id = ?1",
    ).bind(group),
  ]);
  return c.json({ ok: true });
});

const variantOf = (raw: string): Variant => {
  if (!VARIANTS.has(raw)) throw new Error(`unknown variant ${raw}`);
  return raw as Variant;
};
const adds = (variant: Variant, cost: Variant) =>
  variant === cost || (variant === "all" && cost !== "ratelimit");

/** The floor's answer (`own`), with the service's headers and/or body instead if the variant says so. */
function answer(c: Context<Env>, variant: Variant, name: string, own: object): Response {
  const headers = adds(variant, "headers");
  const body = adds(variant, "body");
  if (!headers && !body) return c.json(own);
  const fixture = fixtures.get(name);
  if (!fixture) throw new Error(`no fixture ${name}: POST /gap/fixtures first`);
  return new Response(body ? fixture.body : JSON.stringify(own), {
    headers: headers ? fixture.headers : { "content-type": "application/json" },
  });
}

async function limit(c: Context<Env>, variant: Variant) {
  if (!adds(variant, "ratelimit")) return;
  if (!c.env.GAP_RATE_LIMITER) throw new Error("no GAP_RATE_LIMITER binding");
  // As the service: the answer is awaited (a denial would be a 429 there; not here).
  await c.env.GAP_RATE_LIMITER.limit({ key: "key_floor" });
}

// The service's statements, verbatim (drizzle's SQL), as recorded by `npm run bench:cost`.
const SQL = {
  PLAN: `select "id" as "id", "code" as "code", "name" as "name", "description" as "description", "consumption_model" as "consumptionModel", "is_public" as "isPublic", "is_free" as "isFree", "block_on_exhaustion" as "blockOnExhaustion", "metadata" as "metadata", "plan_group_id" as "planGroupId", "sort_order" as "sortOrder", "created_at" as "createdAt", "updated_at" as "updatedAt" from "plans" where ("plans"."id" = ? and ("plans"."org_id" = ? AND "plans"."mode" = ? and "plans"."deleted_at" is null)) union all select "id" as "id", "code" as "code", "name" as "name", "description" as "description", "consumption_model" as "consumptionModel", "is_public" as "isPublic", "is_free" as "isFree", "block_on_exhaustion" as "blockOnExhaustion", "metadata" as "metadata", "plan_group_id" as "planGroupId", "sort_order" as "sortOrder", "created_at" as "createdAt", "updated_at" as "updatedAt" from "plans" where ("plans"."code" = ? and ("plans"."org_id" = ? AND "plans"."mode" = ? and "plans"."deleted_at" is null))`,
  GROUPS: `select "id" as "id", "name" as "name", "description" as "description", "is_public" as "isPublic", "created_at" as "createdAt", "updated_at" as "updatedAt", (
  SELECT coalesce(json_group_array(json_object('id', m.id, 'name', m.name, 'sortOrder', m.sort_order)), '[]')
  FROM (SELECT "plans"."id" AS id, "plans"."name" AS name, "plans"."sort_order" AS sort_order
        FROM "plans" WHERE "plans"."plan_group_id" = "plan_groups"."id" AND "plans"."org_id" = ? AND "plans"."mode" = ? 
        ORDER BY "plans"."sort_order") AS m
) as "plans" from "plan_groups" where "plan_groups"."org_id" = ? AND "plan_groups"."mode" = ? order by "plan_groups"."id" desc limit ?`,
  CATALOG_EVENTS: `select "id" as "id", "org_id" as "orgId", "mode" as "mode", "type" as "type", "data" as "data", "previous" as "previous", "request_id" as "requestId", "idempotency_key" as "idempotencyKey", "created_at" as "createdAt" from "webhook_events" where (("webhook_events"."org_id" = ? AND "webhook_events"."mode" = ? and "webhook_events"."type" IN (SELECT value FROM json_each(?)) and "webhook_events"."created_at" >= ?) and "webhook_events"."id" >= ? and "webhook_events"."id" < ? and "webhook_events"."created_at" < ? and (? = 0 OR "webhook_events"."dispatched_at" IS NULL)) order by "webhook_events"."id" desc limit ?`,
  HISTORY_EVENTS: `select "id" as "id", "org_id" as "orgId", "mode" as "mode", "type" as "type", "data" as "data", "previous" as "previous", "request_id" as "requestId", "idempotency_key" as "idempotencyKey", "created_at" as "createdAt" from "events" where (("events"."org_id" = ? AND "events"."mode" = ? and "events"."type" IN (SELECT value FROM json_each(?)) and "events"."created_at" >= ?) and "events"."id" >= ? and "events"."id" < ? and "events"."created_at" < ? and (? IS NULL OR EXISTS (SELECT 1 FROM "deliveries" WHERE "deliveries"."event_id" = "events"."id" AND "deliveries"."org_id" = ? AND "deliveries"."mode" = ? AND ("deliveries"."status" = 'failed' OR ("deliveries"."status" IN ('pending', 'dropped') AND "deliveries"."attempts" > 0 AND (SELECT coalesce("attempts"."status_code" BETWEEN 200 AND 299, 0) FROM "attempts" WHERE "attempts"."delivery_id" = "deliveries"."id" ORDER BY "attempts"."attempt" DESC LIMIT 1) = 0))) = ?)) order by "events"."id" desc limit ?`,
  REORDER_EVENT: `insert into "webhook_events" ("id", "org_id", "mode", "type", "data", "created_at", "dispatched_at", "requeued_at", "previous", "request_id", "idempotency_key", "fanned_out_at") SELECT ?, ?, ?, ?, NULL, ?, NULL, NULL, (
  SELECT json_object(
    'id', "plan_groups"."id", 'name', "plan_groups"."name", 'description', "plan_groups"."description",
    'isPublic', json(CASE WHEN "plan_groups"."is_public" THEN 'true' ELSE 'false' END),
    'createdAt', "plan_groups"."created_at", 'updatedAt', "plan_groups"."updated_at",
    'plans', json((
  SELECT coalesce(json_group_array(json_object('id', m.id, 'name', m.name, 'sortOrder', m.sort_order)), '[]')
  FROM (SELECT "plans"."id" AS id, "plans"."name" AS name, "plans"."sort_order" AS sort_order
        FROM "plans" WHERE "plans"."plan_group_id" = "plan_groups"."id" AND "plans"."org_id" = ? AND "plans"."mode" = ? 
        ORDER BY "plans"."sort_order") AS m
)))
  FROM "plan_groups" WHERE "plan_groups"."id" = ? AND "plan_groups"."org_id" = ? AND "plan_groups"."mode" = ?
), ?, ?, NULL WHERE (EXISTS (SELECT 1 FROM "plan_groups" WHERE "plan_groups"."id" = ? AND "plan_groups"."org_id" = ? AND "plan_groups"."mode" = ?) AND ((SELECT count(*) FROM "plans" WHERE "plans"."plan_group_id" = ? AND "plans"."org_id" = ? AND "plans"."mode" = ?) = json_array_length(?)
    AND (SELECT count(DISTINCT value) FROM json_each(?)) = json_array_length(?)
    AND NOT EXISTS (
      SELECT 1 FROM json_each(?) AS j
      WHERE NOT EXISTS (SELECT 1 FROM "plans" WHERE "plans"."id" = j.value AND "plans"."plan_group_id" = ? AND "plans"."org_id" = ? AND "plans"."mode" = ?)
    )) AND EXISTS (
    SELECT 1 FROM "plans" WHERE "plans"."plan_group_id" = ? AND "plans"."org_id" = ? AND "plans"."mode" = ? AND "plans"."sort_order" <> (SELECT j.key FROM json_each(?) AS j WHERE j.value = "plans"."id"))) returning "dispatched_at"`,
  REORDER_PARK: `update "plans" set "sort_order" = -((SELECT j.key FROM json_each(?) AS j WHERE j.value = "plans"."id")) - 1, "updated_at" = ? where ("plans"."plan_group_id" = ? AND "plans"."org_id" = ? AND "plans"."mode" = ? and "plans"."sort_order" <> (SELECT j.key FROM json_each(?) AS j WHERE j.value = "plans"."id") and EXISTS (SELECT 1 FROM "plan_groups" WHERE "plan_groups"."id" = ? AND "plan_groups"."org_id" = ? AND "plan_groups"."mode" = ?) and ((SELECT count(*) FROM "plans" WHERE "plans"."plan_group_id" = ? AND "plans"."org_id" = ? AND "plans"."mode" = ?) = json_array_length(?)
    AND (SELECT count(DISTINCT value) FROM json_each(?)) = json_array_length(?)
    AND NOT EXISTS (
      SELECT 1 FROM json_each(?) AS j
      WHERE NOT EXISTS (SELECT 1 FROM "plans" WHERE "plans"."id" = j.value AND "plans"."plan_group_id" = ? AND "plans"."org_id" = ? AND "plans"."mode" = ?)
    )))`,
  REORDER_GROUP: `update "plan_groups" set "updated_at" = ? where (("plan_groups"."id" = ? and "plan_groups"."org_id" = ? AND "plan_groups"."mode" = ?) and EXISTS (SELECT 1 FROM "plans" WHERE "plans"."plan_group_id" = ? AND "plans"."org_id" = ? AND "plans"."mode" = ? AND "plans"."sort_order" < 0))`,
  REORDER_PLACE: `update "plans" set "sort_order" = -"plans"."sort_order" - 1, "updated_at" = ? where ("plans"."plan_group_id" = ? AND "plans"."org_id" = ? AND "plans"."mode" = ? and "plans"."sort_order" < 0)`,
  REORDER_CHECK: `select EXISTS (SELECT 1 FROM "plan_groups" WHERE "plan_groups"."id" = ? AND "plan_groups"."org_id" = ? AND "plan_groups"."mode" = ?) as "group", ((SELECT count(*) FROM "plans" WHERE "plans"."plan_group_id" = ? AND "plans"."org_id" = ? AND "plans"."mode" = ?) = json_array_length(?)
    AND (SELECT count(DISTINCT value) FROM json_each(?)) = json_array_length(?)
    AND NOT EXISTS (
      SELECT 1 FROM json_each(?) AS j
      WHERE NOT EXISTS (SELECT 1 FROM "plans" WHERE "plans"."id" = j.value AND "plans"."plan_group_id" = ? AND "plans"."org_id" = ? AND "plans"."mode" = ?)
    )) as "exact", (
  SELECT coalesce(json_group_array(json_object('id', m.id, 'name', m.name, 'sortOrder', m.sort_order)), '[]')
  FROM (SELECT "plans"."id" AS id, "plans"."name" AS name, "plans"."sort_order" AS sort_order
        FROM "plans" WHERE "plans"."plan_group_id" = ? AND "plans"."org_id" = ? AND "plans"."mode" = ? 
        ORDER BY "plans"."sort_order") AS m
) as "members" from (SELECT 1)`,
  REORDER_SNAPSHOT: `update "webhook_events" set "data" = (
  SELECT json_object(
    'id', "plan_groups"."id", 'name', "plan_groups"."name", 'description', "plan_groups"."description",
    'isPublic', json(CASE WHEN "plan_groups"."is_public" THEN 'true' ELSE 'false' END),
    'createdAt', "plan_groups"."created_at", 'updatedAt', "plan_groups"."updated_at",
    'plans', json((
  SELECT coalesce(json_group_array(json_object('id', m.id, 'name', m.name, 'sortOrder', m.sort_order)), '[]')
  FROM (SELECT "plans"."id" AS id, "plans"."name" AS name, "plans"."sort_order" AS sort_order
        FROM "plans" WHERE "plans"."plan_group_id" = "plan_groups"."id" AND "plans"."org_id" = ? AND "plans"."mode" = ? 
        ORDER BY "plans"."sort_order") AS m
)))
  FROM "plan_groups" WHERE "plan_groups"."id" = ? AND "plan_groups"."org_id" = ? AND "plan_groups"."mode" = ?
) where "webhook_events"."id" = ? AND "webhook_events"."dispatched_at" IS NULL`,
};

// The service's own list: the gap variants subscribe to exactly its event types.
const EVENT_TYPES = JSON.stringify(SERVICE_EVENT_TYPES);
const DAY_MS = 86_400_000;
const randomId = (prefix: string, length: number) =>
  `${prefix}${crypto.randomUUID().replaceAll("-", "")}`.slice(0, length);

app.get("/gap/:variant/noop", async (c) => {
  const variant = variantOf(c.req.param("variant"));
  await limit(c, variant);
  return answer(c, variant, "noop", { ok: true });
});

app.get("/gap/:variant/plans/:id", async (c) => {
  const variant = variantOf(c.req.param("variant"));
  await limit(c, variant);
  const id = c.req.param("id");
  const row = adds(variant, "sql")
    ? (await c.env.DB.prepare(SQL.PLAN).bind(id, ORG, "test", id, ORG, "test").all()).results[0]
    : await c.env.DB.prepare("SELECT * FROM plans WHERE id = ?1").bind(id).first();
  if (!row) return c.json({ error: "not found" }, 404);
  return answer(c, variant, "plan", row);
});

app.get("/gap/:variant/groups", async (c) => {
  const variant = variantOf(c.req.param("variant"));
  await limit(c, variant);
  const statement = adds(variant, "sql")
    ? c.env.DB.prepare(SQL.GROUPS).bind(ORG, "test", ORG, "test", 21)
    : c.env.DB.prepare(
        `SELECT g.id, g.name, g.description, g.is_public, g.created_at, g.updated_at, ${MEMBERS}
         FROM plan_groups AS g WHERE g.org_id = ?1 AND g.mode = 'test' ORDER BY g.id DESC LIMIT 21`,
      ).bind(ORG);
  const { results } = await statement.all();
  return answer(c, variant, "groups", results);
});

app.get("/gap/:variant/events", async (c) => {
  const variant = variantOf(c.req.param("variant"));
  await limit(c, variant);
  const columns = "id, org_id, mode, type, data, previous, request_id, idempotency_key, created_at";
  const now = Date.now();
  const [history] = adds(variant, "sql")
    ? await Promise.all([
        c.env.HISTORY_DB.prepare(SQL.HISTORY_EVENTS)
          .bind(
            ORG,
            "test",
            EVENT_TYPES,
            now - 30 * DAY_MS,
            "whev_01",
            "whev_zzzzzzzzzz",
            Number.MAX_SAFE_INTEGER,
            null,
            ORG,
            "test",
            null,
            21,
          )
          .all(),
        c.env.DB.prepare(SQL.CATALOG_EVENTS)
          .bind(
            ORG,
            "test",
            EVENT_TYPES,
            now - 30 * DAY_MS,
            "whev_01",
            "whev_zzzzzzzzzz",
            Number.MAX_SAFE_INTEGER,
            0,
            21,
          )
          .all(),
      ])
    : await Promise.all([
        c.env.HISTORY_DB.prepare(
          `SELECT ${columns} FROM events WHERE org_id = ?1 AND mode = 'test' ORDER BY id DESC LIMIT 21`,
        )
          .bind(ORG)
          .all(),
        c.env.DB.prepare(
          `SELECT ${columns} FROM webhook_events WHERE org_id = ?1 AND mode = 'test' ORDER BY id DESC LIMIT 21`,
        )
          .bind(ORG)
          .all(),
      ]);
  return answer(c, variant, "events", history.results);
});

app.post("/gap/:variant/groups/:id/touch", async (c) => {
  const variant = variantOf(c.req.param("variant"));
  const { planIds } = await c.req.json<{ planIds: string[] }>();
  await limit(c, variant);
  const group = c.req.param("id");
  const now = Date.now();
  const eventId = randomId("whev_gap_", 31);
  let own: object = { ok: true };
  if (adds(variant, "sql")) {
    const ids = JSON.stringify(planIds);
    const t = "test";
    const results = await c.env.DB.batch([
      c.env.DB.prepare(SQL.REORDER_EVENT).bind(
        ...[eventId, ORG, t, "plan_group.plans_reordered", now, ORG, t, group, ORG, t],
        ...[randomId("req_", 36), null, group, ORG, t, group, ORG, t, ids, ids, ids, ids],
        ...[group, ORG, t, group, ORG, t, ids],
      ),
      c.env.DB.prepare(SQL.REORDER_PARK).bind(
        ...[ids, now, group, ORG, t, ids, group, ORG, t, group, ORG, t],
        ...[ids, ids, ids, ids, group, ORG, t],
      ),
      c.env.DB.prepare(SQL.REORDER_GROUP).bind(now, group, ORG, t, group, ORG, t),
      c.env.DB.prepare(SQL.REORDER_PLACE).bind(now, group, ORG, t),
      c.env.DB.prepare(SQL.REORDER_CHECK).bind(
        ...[group, ORG, t, group, ORG, t, ids, ids, ids, ids, group, ORG, t, group, ORG, t],
      ),
      c.env.DB.prepare(SQL.REORDER_SNAPSHOT).bind(ORG, t, group, ORG, t, eventId),
    ]);
    own = results[4]?.results[0] ?? { ok: true };
  } else {
    await c.env.DB.batch([
      c.env.DB.prepare("UPDATE plan_groups SET updated_at = ?1 WHERE id = ?2").bind(now, group),
      c.env.DB.prepare(
        "UPDATE plans SET updated_at = ?1 WHERE plan_group_id = ?2 AND org_id = ?3 AND mode = 'test' AND sort_order = 0",
      ).bind(now, group, ORG),
    ]);
  }
  if (adds(variant, "queue")) {
    const queue = c.env.GAP_QUEUE;
    if (!queue) throw new Error("no GAP_QUEUE binding");
    // As src/webhooks/enqueue.ts: after the response, one sendBatch of the event's message.
    c.executionCtx.waitUntil(queue.sendBatch([{ body: { kind: "event", eventId } }]));
  }
  return answer(c, variant, "reorder", own);
});

/**
 * Seeds the shape the service is seeded with (bench/lib/seed.ts): `groups`
 * groups, `plans` plans; the first group has `size` plans, every other group
 * two, the rest are ungrouped. The benchmark reads and writes the first group.
 */
app.post("/seed", async (c) => {
  const size = Number(c.req.query("size") ?? "20");
  const groups = Number(c.req.query("groups") ?? "1");
  const plans = Number(c.req.query("plans") ?? String(size));
  const now = Date.now();
  const group = (i: number) => `pgrp_floor_${String(i).padStart(4, "0")}`;
  const plan = (i: number) => `plan_floor_${String(i).padStart(4, "0")}`;
  const statements = [];
  for (let g = 0; g < groups; g++) {
    statements.push(
      c.env.DB.prepare(
        "INSERT OR IGNORE INTO plan_groups (id, org_id, mode, name, description, is_public, created_at, updated_at) VALUES (?1, ?2, 'test', ?3, ?4, 1, ?5, ?5)",
      ).bind(group(g), ORG, `Floor ${g}`, g % 2 === 0 ? `Group number ${g}.` : null, now),
    );
  }
  const grouped = size + 2 * (groups - 1);
  for (let i = 0; i < plans; i++) {
    const [owner, position] =
      i < size
        ? [group(0), i]
        : i < grouped
          ? [group(1 + ((i - size) >> 1)), (i - size) % 2]
          : [null, 0];
    statements.push(
      c.env.DB.prepare(
        "INSERT OR IGNORE INTO plans (id, org_id, mode, code, name, description, consumption_model, is_public, is_free, metadata, plan_group_id, sort_order, created_at, updated_at) VALUES (?1, ?2, 'test', ?3, ?4, ?5, 'metered', 1, ?6, ?7, ?8, ?9, ?10, ?10)",
      ).bind(
        plan(i),
        ORG,
        `floor_${i}`,
        `Floor plan ${i}`,
        `Plan ${i}, seeded by the benchmark.`,
        i % 10 === 0 ? 1 : 0,
        JSON.stringify({ seats: i % 50, tier: i % 3 === 0 ? "pro" : "starter" }),
        owner,
        position,
        now,
      ),
    );
  }
  // Events in both databases (as the service's stay in its outbox until
  // purged), each carrying a plan as the service's events do, and an
  // endpoint with one delivery (one attempt) per event.
  const events = Number(c.req.query("events") ?? "0");
  const deliveries = Number(c.req.query("deliveries") ?? "0");
  const event = (i: number) => `whev_floor_${String(i).padStart(5, "0")}`;
  const history = [];
  for (let i = 0; i < events; i++) {
    const data = JSON.stringify({
      id: plan(i % plans),
      code: `floor_${i % plans}`,
      name: `Floor plan ${i % plans}`,
      description: `Plan ${i % plans}, seeded by the benchmark.`,
      consumptionModel: "metered",
      isPublic: true,
      isFree: i % 10 === 0,
      blockOnExhaustion: null,
      metadata: { seats: i % 50, tier: i % 3 === 0 ? "pro" : "starter" },
      planGroupId: null,
      sortOrder: 0,
      createdAt: now,
      updatedAt: now,
    });
    // The newest are updates, as the service's: they carry the state before too.
    const previous = i >= events - deliveries ? data : null;
    const values = [event(i), ORG, "plan.updated", data, previous, `req_floor_${i}`, now];
    statements.push(
      c.env.DB.prepare(
        "INSERT OR IGNORE INTO webhook_events (id, org_id, mode, type, data, previous, request_id, created_at, dispatched_at) VALUES (?1, ?2, 'test', ?3, ?4, ?5, ?6, ?7, ?7)",
      ).bind(...values),
    );
    history.push(
      c.env.HISTORY_DB.prepare(
        "INSERT OR IGNORE INTO events (id, org_id, mode, type, object_id, data, previous, request_id, created_at) VALUES (?1, ?2, 'test', ?3, json_extract(?4, '$.id'), ?4, ?5, ?6, ?7)",
      ).bind(...values),
    );
  }
  const endpoint = "whep_floor";
  statements.push(
    c.env.DB.prepare(
      `INSERT OR IGNORE INTO webhook_endpoints (id, org_id, mode, url, events, description, is_active, secret, created_at, updated_at)
       VALUES (?1, ?2, 'test', 'http://127.0.0.1:9/hook', '["*"]', NULL, 0, ?3, ?4, ?4)`,
      // A sealed secret is about 120 characters.
    ).bind(endpoint, ORG, "x".repeat(120), now),
  );
  // One per update: the newest events.
  for (let i = Math.max(0, events - deliveries); i < events; i++) {
    const id = `whdl_floor_${String(i).padStart(5, "0")}`;
    history.push(
      c.env.HISTORY_DB.prepare(
        "INSERT OR IGNORE INTO deliveries (id, event_id, endpoint_id, org_id, mode, type, status, attempts, created_at, completed_at) VALUES (?1, ?2, ?3, ?4, 'test', 'plan.updated', 'succeeded', 1, ?5, ?5)",
      ).bind(id, event(i), endpoint, ORG, now),
      c.env.HISTORY_DB.prepare(
        "INSERT OR IGNORE INTO attempts (id, delivery_id, endpoint_id, event_id, attempt, status_code, duration_ms, error, response_excerpt, created_at) VALUES (?1, ?2, ?3, ?4, 1, 204, 3, NULL, NULL, ?5)",
      ).bind(`what_floor_${String(i).padStart(5, "0")}`, id, endpoint, event(i), now),
    );
  }
  await c.env.DB.batch(statements);
  if (history.length > 0) await c.env.HISTORY_DB.batch(history);
  return c.json({
    groupId: group(0),
    planIds: Array.from({ length: size }, (_, i) => plan(i)),
    endpointId: endpoint,
  });
});

export default app;
