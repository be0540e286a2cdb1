import { Hono } from "hono";

type Env = { Bindings: { DB: D1Database; HISTORY_DB: D1Database } };

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
