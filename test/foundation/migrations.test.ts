import { applyD1Migrations, env } from "cloudflare:test";
import { describe, expect, it } from "vitest";

describe("migrations", () => {
  it("apply on an empty database and create the tables and indexes", async () => {
    await applyD1Migrations(env.DB_FRESH, env.TEST_MIGRATIONS);
    const { results } = await env.DB_FRESH.prepare(
      "SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> 'd1_migrations' ORDER BY name",
    ).all<{ type: string; name: string }>();
    const names = results.map((r) => r.name);
    expect(names).toEqual(
      expect.arrayContaining([
        "plan_groups",
        "plans",
        "plans_live_code_uq",
        "plans_group_position_uq",
      ]),
    );
    // Applying again is a no-op.
    await applyD1Migrations(env.DB_FRESH, env.TEST_MIGRATIONS);
  });

  it("enforce one live plan per code, and one plan per group position", async () => {
    const db = env.DB_FRESH;
    await applyD1Migrations(db, env.TEST_MIGRATIONS);
    const insert = (
      id: string,
      code: string,
      group: string | null,
      pos: number,
      deleted: number | null,
    ) =>
      db
        .prepare(
          "INSERT INTO plans (id, org_id, mode, code, name, is_public, is_free, plan_group_id, sort_order, created_at, updated_at, deleted_at) VALUES (?, 'o', 'test', ?, 'n', 1, 0, ?, ?, 0, 0, ?)",
        )
        .bind(id, code, group, pos, deleted)
        .run();
    await db
      .prepare(
        "INSERT INTO plan_groups (id, org_id, mode, name, is_public, created_at, updated_at) VALUES ('g', 'o', 'test', 'g', 1, 0, 0)",
      )
      .run();
    await insert("p1", "c", "g", 0, null);
    await expect(insert("p2", "c", null, 0, null)).rejects.toThrow(/UNIQUE/);
    await insert("p3", "c", null, 0, 1);
    await expect(insert("p4", "d", "g", 0, null)).rejects.toThrow(/UNIQUE/);
    await insert("p5", "e", null, 0, null);
    await insert("p6", "f", null, 0, null);
  });

  it("create the history database's tables and indexes, apart from the catalog's", async () => {
    await applyD1Migrations(env.HISTORY_FRESH, env.TEST_HISTORY_MIGRATIONS);
    const { results } = await env.HISTORY_FRESH.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%' AND name <> 'd1_migrations' ORDER BY name",
    ).all<{ name: string }>();
    expect(results.map((r) => r.name)).toEqual(["attempts", "deliveries", "events"]);
    await applyD1Migrations(env.HISTORY_FRESH, env.TEST_HISTORY_MIGRATIONS);
  });

  it("move the history out of the catalog without losing a pending delivery", async () => {
    const db = env.DB_UPGRADE;
    const split = env.TEST_MIGRATIONS.findIndex((m) => m.name.startsWith("0007_"));
    expect(split).toBeGreaterThan(0);
    await applyD1Migrations(db, env.TEST_MIGRATIONS.slice(0, split));
    const event = (id: string) =>
      db
        .prepare(
          "INSERT INTO webhook_events (id, org_id, mode, type, data, created_at, dispatched_at, requeued_at) VALUES (?, 'o', 'test', 'plan.created', '{}', 1, 2, 3)",
        )
        .bind(id);
    const delivery = (id: string, eventId: string, status: string) =>
      db
        .prepare(
          "INSERT INTO webhook_deliveries (id, event_id, endpoint_id, org_id, mode, status, attempts, created_at) VALUES (?, ?, 'whep_1', 'o', 'test', ?, 1, 2)",
        )
        .bind(id, eventId, status);
    await db.batch([
      event("whev_pending"),
      event("whev_done"),
      delivery("whdl_1", "whev_pending", "pending"),
      delivery("whdl_2", "whev_done", "succeeded"),
    ]);
    await applyD1Migrations(db, env.TEST_MIGRATIONS);
    const { results } = await db
      .prepare(
        "SELECT id, dispatched_at, requeued_at, fanned_out_at FROM webhook_events ORDER BY id",
      )
      .all();
    // Both are handed on to the history again by the sweep; only the pending
    // one is fanned out again there.
    expect(results).toEqual([
      { id: "whev_done", dispatched_at: null, requeued_at: null, fanned_out_at: 2 },
      { id: "whev_pending", dispatched_at: null, requeued_at: null, fanned_out_at: null },
    ]);
    const tables = await db
      .prepare(
        "SELECT name FROM sqlite_master WHERE name IN ('webhook_deliveries', 'webhook_attempts')",
      )
      .all();
    expect(tables.results).toEqual([]);
  });
});
