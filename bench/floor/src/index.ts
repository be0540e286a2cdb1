import { Hono } from "hono";

type Env = { Bindings: { DB: D1Database } };

/**
 * No auth, no validation, no ORM, no envelope: what is left is the cost of the
 * runtime, the router and one D1 round trip, which the service cannot beat.
 */
const app = new Hono<Env>();

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
      "UPDATE plans SET updated_at = ?1 WHERE plan_group_id = ?2 AND sort_order = 0",
    ).bind(now, id),
  ]);
  return c.json({ ok: true });
});

/** Seeds one group with `count` plans; the benchmark reads and writes these rows. */
app.post("/seed", async (c) => {
  const count = Number(c.req.query("count") ?? "20");
  const now = Date.now();
  const group = "pgrp_floor";
  const statements = [
    c.env.DB.prepare(
      "INSERT OR IGNORE INTO plan_groups (id, org_id, mode, name, is_public, created_at, updated_at) VALUES (?1, 'org_floor', 'test', 'Floor', 1, ?2, ?2)",
    ).bind(group, now),
  ];
  for (let i = 0; i < count; i++) {
    statements.push(
      c.env.DB.prepare(
        "INSERT OR IGNORE INTO plans (id, org_id, mode, code, name, is_public, is_free, plan_group_id, sort_order, created_at, updated_at) VALUES (?1, 'org_floor', 'test', ?2, ?3, 1, 0, ?4, ?5, ?6, ?6)",
      ).bind(`plan_floor_${i}`, `floor_${i}`, `Floor ${i}`, group, i, now),
    );
  }
  await c.env.DB.batch(statements);
  return c.json({
    groupId: group,
    planIds: Array.from({ length: count }, (_, i) => `plan_floor_${i}`),
  });
});

export default app;
