/**
 * The scripts' in-process migrator (npm run dev, npm run db:reset) applies
 * what `wrangler d1 migrations apply --local` would, recorded the same way,
 * so wrangler, the tests' pool and the scripts agree on what is applied.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import {
  appliedLines,
  applyMigrations,
  type MigrationFile,
  pendingMigrations,
  splitMigration,
} from "../../scripts/lib/migrations";

const files = JSON.parse(env.TEST_MIGRATION_FILES) as Record<
  "catalog" | "history",
  MigrationFile[]
>;

/** A statement without its comment lines, whitespace or final semicolon. */
const bare = (sql: string) =>
  sql
    .split("\n")
    .filter((line) => !line.trim().startsWith("--"))
    .join("\n")
    .replace(/\s+/g, " ")
    .replace(/;\s*$/, "")
    .trim();

const tables = async (db: D1Database) =>
  (
    await db
      .prepare(
        "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE '\\_cf%' ESCAPE '\\' AND name NOT LIKE 'sqlite%' AND name <> 'd1_migrations' ORDER BY name",
      )
      .all()
  ).results;

describe("splitMigration", () => {
  it("splits every migration into the statements wrangler's splitter finds", () => {
    for (const [kind, theirs] of [
      ["catalog", env.TEST_MIGRATIONS],
      ["history", env.TEST_HISTORY_MIGRATIONS],
    ] as const) {
      expect(files[kind].map((f) => f.name).sort()).toEqual(theirs.map((m) => m.name));
      for (const migration of theirs) {
        const file = files[kind].find((f) => f.name === migration.name);
        expect(splitMigration(file?.text ?? "").map(bare), migration.name).toEqual(
          migration.queries.map(bare),
        );
      }
    }
  });

  it("keeps nothing empty", () => {
    expect(splitMigration("CREATE TABLE a (x);--> statement-breakpoint\n\n")).toEqual([
      "CREATE TABLE a (x);",
    ]);
  });
});

describe("pendingMigrations", () => {
  it("orders by the leading number and leaves out what is applied and what is not SQL", () => {
    const named = (...names: string[]) => names.map((name) => ({ name, text: "" }));
    const pending = pendingMigrations(
      named("0010_c.sql", "0002_b.sql", "0000_a.sql", "notes.md"),
      new Set(["0000_a.sql"]),
    );
    expect(pending.map((f) => f.name)).toEqual(["0002_b.sql", "0010_c.sql"]);
  });
});

describe("applyMigrations", () => {
  it("builds the catalog schema the tests' pool builds, records each file once, and applies nothing twice", async () => {
    const db = env.SCRIPT_MIGRATE;
    await applyMigrations(db, files.catalog);
    expect(await tables(db)).toEqual(await tables(env.DB));
    const { results } = await db
      .prepare("SELECT name FROM d1_migrations ORDER BY id")
      .all<{ name: string }>();
    expect(results.map((r) => r.name)).toEqual(env.TEST_MIGRATIONS.map((m) => m.name));
    expect(await applyMigrations(db, files.catalog)).toEqual([]);
  });

  it("sees what the tests' pool applied (as wrangler records it) as applied", async () => {
    expect(await applyMigrations(env.DB, files.catalog)).toEqual([]);
    expect(await applyMigrations(env.HISTORY_DB, files.history)).toEqual([]);
  });

  it("applies a failing file not at all, records nothing for it, and names it and what went before", async () => {
    const db = env.SCRIPT_MIGRATE;
    await db.batch([
      db.prepare("DROP TABLE IF EXISTS script_migrations"),
      db.prepare("DROP TABLE IF EXISTS script_migrate_good"),
    ]);
    const broken = {
      name: "9999_broken.sql",
      text: "CREATE TABLE script_migrate_probe (x);--> statement-breakpoint\nNOT SQL;",
    };
    const good = { name: "9998_good.sql", text: "CREATE TABLE script_migrate_good (x);" };
    await expect(applyMigrations(db, [broken, good], "script_migrations")).rejects.toThrow(
      /^9999_broken\.sql failed, nothing of it applied \(applied before it: 9998_good\.sql\): /,
    );
    const probe = await db
      .prepare("SELECT name FROM sqlite_master WHERE name = 'script_migrate_probe'")
      .all();
    expect(probe.results).toEqual([]);
    const recorded = await db.prepare("SELECT name FROM script_migrations").all();
    expect(recorded.results).toEqual([{ name: "9998_good.sql" }]);
  });
});

describe("appliedLines", () => {
  it("says per database what was applied, or that it was up to date", () => {
    expect(appliedLines({ DB: ["0001_a.sql", "0002_b.sql"], HISTORY_DB: [] })).toEqual([
      "D1 DB: applied 0001_a.sql, 0002_b.sql",
      "D1 HISTORY_DB: up to date",
    ]);
  });
});
