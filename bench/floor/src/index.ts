import { Hono } from "hono";

type Env = { Bindings: { DB: D1Database } };

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

// A page as the service's lists read it: 21 rows (one more tells whether
// there is a next page), newest first, in one statement. No cursor, no
// decoding, no presentation: the rows go out as D1 returned them.
app.get("/groups", async (c) => {
  const { results } = await c.env.DB.prepare(
    `SELECT g.id, g.name, g.description, g.is_public, g.created_at, g.updated_at,
       (SELECT coalesce(json_group_array(json_object('id', m.id, 'name', m.name, 'sortOrder', m.sort_order)), '[]')
        FROM (SELECT id, name, sort_order FROM plans
              WHERE plan_group_id = g.id AND org_id = ?1 AND mode = 'test' ORDER BY sort_order) AS m) AS plans
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
  await c.env.DB.batch(statements);
  return c.json({
    groupId: group(0),
    planIds: Array.from({ length: size }, (_, i) => plan(i)),
  });
});

export default app;
