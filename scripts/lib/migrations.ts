/**
 * Applies a database's pending migrations over a D1 binding, in the script's
 * own process, the way `wrangler d1 migrations apply --local` does (which
 * took 3 to 4 s a database as a wrangler process): the same tracking table
 * (`d1_migrations`, one row per file), files in order of their number, each
 * file in one batch with its row, so a later wrangler, the tests' pool and
 * this see the same list. No Node imports: the tests run it in workerd.
 */

import { type Attempt, once } from "./busy";

/** A migration file as drizzle-kit writes it: statements between `--> statement-breakpoint` lines. */
export type MigrationFile = { name: string; text: string };

/** wrangler's tracking table, as it creates it (its DEFAULT_MIGRATION_TABLE). */
export const MIGRATIONS_TABLE = "d1_migrations";

/**
 * The statements of a drizzle-kit migration (comments stay: SQLite ignores
 * them). Stricter than wrangler's SQL-aware splitter: a hand-written file
 * must put `--> statement-breakpoint` between its statements too
 * (test/scripts/migrations.test.ts checks every committed file against
 * wrangler's split).
 */
export function splitMigration(text: string): string[] {
  return text
    .split("--> statement-breakpoint")
    .map((statement) => statement.trim())
    .filter((statement) => statement.length > 0);
}

/** The files not applied yet, in order of their leading number (as wrangler sorts them). */
export function pendingMigrations(files: MigrationFile[], applied: Set<string>): MigrationFile[] {
  const number = (name: string) => Number.parseInt(name.split("_")[0] ?? "", 10);
  return files
    .filter((file) => file.name.endsWith(".sql") && !applied.has(file.name))
    .sort((a, b) => number(a.name) - number(b.name));
}

/**
 * Applies what `files` has that `db` lacks; returns the names applied.
 * `attempt` runs each call to D1 (one statement, or one file's batch: each one
 * transaction), as bindingSql's does.
 */
export async function applyMigrations(
  db: D1Database,
  files: MigrationFile[],
  table = MIGRATIONS_TABLE,
  attempt: Attempt = once,
): Promise<string[]> {
  const create = db.prepare(
    `CREATE TABLE IF NOT EXISTS ${table}(
		id         INTEGER PRIMARY KEY AUTOINCREMENT,
		name       TEXT UNIQUE,
		applied_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP NOT NULL
)`,
  );
  await attempt(() => create.run());
  const { results } = await attempt(() =>
    db.prepare(`SELECT name FROM ${table}`).all<{ name: string }>(),
  );
  const pending = pendingMigrations(files, new Set(results.map((row) => row.name)));
  const applied: string[] = [];
  for (const file of pending) {
    try {
      await attempt(() =>
        db.batch([
          ...splitMigration(file.text).map((statement) => db.prepare(statement)),
          db.prepare(`INSERT INTO ${table} (name) VALUES (?)`).bind(file.name),
        ]),
      );
    } catch (err) {
      const before = applied.length ? ` (applied before it: ${applied.join(", ")})` : "";
      const message = err instanceof Error ? err.message : String(err);
      throw new Error(`${file.name} failed, nothing of it applied${before}: ${message}`);
    }
    applied.push(file.name);
  }
  return applied;
}

/** One line per database of what `migrate` applied, as every script prints it. */
export const appliedLines = (applied: Record<string, string[]>): string[] =>
  Object.entries(applied).map(
    ([database, names]) =>
      `D1 ${database}: ${names.length ? `applied ${names.join(", ")}` : "up to date"}`,
  );
