/**
 * The API_KEYS namespace and the DB database for a script. Locally, in this
 * process: one Miniflare (a local workerd) with just those two bindings of
 * wrangler.toml (or of `--env`'s environment), over the state `npm run dev`
 * persists to, under the IDs wrangler gives them there. Through Miniflare
 * itself rather than wrangler's getPlatformProxy: loading wrangler took about
 * a second of each command's 2.7 s. With `--remote`, through wrangler
 * processes against the deployed resources (a local runtime only reaches
 * those through a Cloudflare login and a remote proxy session).
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Readable } from "node:stream";
import type * as MiniflareModule from "miniflare";
import { bindingKv, bindingSql } from "./bindings";
import { CliError } from "./cli";
import type { Kv } from "./kv";
import { type LocalIds, localIds } from "./local-ids";
import { applyMigrations, type MigrationFile } from "./migrations";
import { sayIfSlow } from "./progress";
import type { Sql } from "./sql";
import {
  localState,
  ROOT,
  STATE_DIR,
  type Target,
  WRANGLER_SETTINGS,
  wranglerKv,
  wranglerSql,
} from "./wrangler";

export type Stores = {
  kv: Kv;
  sql: Sql;
  /** Applies both databases' pending migrations; the names applied, per database. */
  migrate(): Promise<Record<Database, string[]>>;
  /** Stops the local runtime; the script's process cannot exit before. */
  close(): Promise<void>;
};

const DATABASES = ["DB", "HISTORY_DB"] as const;
type Database = (typeof DATABASES)[number];

/** `prefix` starts the progress line, as in `dev: `. */
export async function openStores(target: Target, prefix = ""): Promise<Stores> {
  if (target.remote) {
    return {
      kv: wranglerKv(target),
      sql: wranglerSql(target),
      // Deployed databases migrate through wrangler (docs/operations.md), never from a script.
      migrate: async () => {
        throw new CliError(
          "remote migrations: npx wrangler d1 migrations apply DB --remote, then HISTORY_DB",
        );
      },
      close: async () => {},
    };
  }
  const where = localState(target);
  const local = await sayIfSlow(
    openLocal(target),
    `${prefix}opening local D1 and KV (${where})...`,
  );
  return {
    kv: bindingKv(local.kv, `local KV (${where})`),
    sql: migrated(bindingSql(local.databases.DB, `local D1 (${where})`)),
    migrate: async () => {
      const applied = { DB: [] as string[], HISTORY_DB: [] as string[] };
      for (const database of DATABASES) {
        const { migrationsDir, migrationsTable } = local.ids[database];
        try {
          applied[database] = await applyMigrations(
            local.databases[database],
            migrationFiles(join(ROOT, migrationsDir)),
            migrationsTable,
          );
        } catch (err) {
          throw new CliError(`D1 ${database}: ${err instanceof Error ? err.message : String(err)}`);
        }
      }
      return applied;
    },
    close: () => local.dispose(),
  };
}

function migrationFiles(dir: string): MigrationFile[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith(".sql"))
    .map((name) => ({ name, text: readFileSync(join(dir, name), "utf8") }));
}

async function openLocal(target: Target) {
  for (const [name, value] of Object.entries(WRANGLER_SETTINGS)) process.env[name] ??= value;
  let ids: LocalIds;
  try {
    ids = localIds(readFileSync(join(ROOT, "wrangler.toml"), "utf8"), target.env);
  } catch (err) {
    throw new CliError(err instanceof Error ? err.message : String(err));
  }
  // Loaded here, not at the top: `--help`, a usage mistake or `--remote` need none of it.
  const { Miniflare } = createRequire(import.meta.url)("miniflare") as typeof MiniflareModule;
  let mf: MiniflareModule.Miniflare | undefined;
  try {
    const runtime = new Miniflare({
      modules: true,
      script: "export default {};",
      compatibilityDate: "2025-01-01",
      // The runtime's own output to stderr: key:create prints the key alone on stdout.
      handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
        stdout.pipe(process.stderr);
        stderr.pipe(process.stderr);
      },
      d1Databases: { DB: ids.DB.id, HISTORY_DB: ids.HISTORY_DB.id },
      kvNamespaces: { API_KEYS: ids.API_KEYS },
      // Where wrangler keeps local state: <state>/v3/d1, <state>/v3/kv.
      defaultPersistRoot: join(target.persistTo ?? STATE_DIR, "v3"),
    });
    mf = runtime;
    const [db, history, kv] = await Promise.all([
      runtime.getD1Database("DB"),
      runtime.getD1Database("HISTORY_DB"),
      runtime.getKVNamespace("API_KEYS"),
    ]);
    // Miniflare's types are workerd's, from its own copy of the type package.
    return {
      ids,
      databases: { DB: db as unknown as D1Database, HISTORY_DB: history as unknown as D1Database },
      kv: kv as unknown as KVNamespace,
      dispose: () => runtime.dispose(),
    };
  } catch (err) {
    // A runtime left running keeps the process from exiting after the error.
    await mf?.dispose().catch(() => {});
    const message = err instanceof Error ? err.message : String(err);
    throw new CliError(`could not open local D1 and KV: ${message.split("\n")[0]}`);
  }
}

/** A database without the listing's table gets the command that makes it, not SQLite's words. */
function migrated(sql: Sql): Sql {
  const explain = (err: unknown): never => {
    if (err instanceof Error && /no such table/.test(err.message)) {
      throw new CliError(
        `${sql.where} has no tables yet: npm run db:migrate:local (npm run dev and npm run db:reset do it too)`,
      );
    }
    throw err;
  };
  return {
    where: sql.where,
    run: (statements) => sql.run(statements).catch(explain),
    all: (query) => sql.all(query).catch(explain),
  };
}

/** Runs `work` with the stores, then stops the local runtime whatever happened. */
export async function withStores<T>(
  target: Target,
  work: (stores: Omit<Stores, "close">) => Promise<T>,
  prefix = "",
): Promise<T> {
  const stores = await openStores(target, prefix);
  try {
    return await work(stores);
  } finally {
    await stores.close();
  }
}
