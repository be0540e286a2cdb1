/**
 * The API_KEYS namespace and the DB database for a script. Locally, in this
 * process: one Miniflare (a local workerd) with just those two bindings of
 * wrangler.toml (or of `--env`'s environment), over the state `npm run dev`
 * persists to, under the IDs wrangler gives them there. Through Miniflare
 * itself rather than wrangler's getPlatformProxy: loading wrangler took about
 * a second of each command's 2.7 s. With `--remote`, through wrangler
 * processes against the deployed resources (a local runtime only reaches
 * those through a Cloudflare login and a remote proxy session).
 *
 * While `npm run dev` writes to the local D1 or KV, a call of a script can
 * find the database under it locked: each D1 call (one statement or one
 * batch, one transaction) and each KV call is tried again for up to
 * LOCK_WAIT_MS (busy.ts says why that is safe), then the script says so in
 * one line.
 */
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { createInterface } from "node:readline";
import type { Readable } from "node:stream";
import type * as MiniflareModule from "miniflare";
import { bindingKv, bindingSql } from "./bindings";
import {
  type Attempt,
  BusyLog,
  isLocked,
  kvAttempt,
  type LockTest,
  retryWhileLocked,
  StillLocked,
  withoutStack,
} from "./busy";
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

/** How long one D1 or KV call waits for the local database to be free (npm run dev writing). */
const LOCK_WAIT_MS = 5_000;

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
  const d1 = `local D1 (${where})`;
  const attempt = waitingForLocks(d1, (err) => isLocked(err, local.busy));
  const kv = `local KV (${where})`;
  return {
    kv: bindingKv(
      local.kv,
      kv,
      "",
      kvAttempt(local.busy, (locked) => waitingForLocks(kv, locked)),
    ),
    sql: migrated(bindingSql(local.databases.DB, d1, attempt)),
    migrate: async () => {
      const applied = { DB: [] as string[], HISTORY_DB: [] as string[] };
      for (const database of DATABASES) {
        const { migrationsDir, migrationsTable } = local.ids[database];
        try {
          applied[database] = await applyMigrations(
            local.databases[database],
            migrationFiles(join(ROOT, migrationsDir)),
            migrationsTable,
            attempt,
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
  const { Miniflare, NoOpLog } = createRequire(import.meta.url)(
    "miniflare",
  ) as typeof MiniflareModule;
  let mf: MiniflareModule.Miniflare | undefined;
  const busy = new BusyLog();
  // Miniflare's log, silent as its default: it only notes the locks a simulator met.
  class LockLog extends NoOpLog {
    override error(err: Error) {
      busy.error(err.message);
    }
  }
  try {
    const runtime = new Miniflare({
      modules: true,
      script: "export default {};",
      compatibilityDate: "2025-01-01",
      // The runtime's own output to stderr: key:create prints the key alone on stdout.
      // Its reports of a database locked by npm run dev stay off it (the call is tried again).
      handleRuntimeStdio: (stdout: Readable, stderr: Readable) => {
        stdout.pipe(process.stderr);
        createInterface({ input: stderr, crlfDelay: Number.POSITIVE_INFINITY }).on(
          "line",
          (line) => {
            if (busy.line(line)) process.stderr.write(`${line}\n`);
          },
        );
      },
      log: new LockLog(),
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
      busy,
      dispose: () => runtime.dispose(),
    };
  } catch (err) {
    // A runtime left running keeps the process from exiting after the error.
    await mf?.dispose().catch(() => {});
    const message = err instanceof Error ? err.message : String(err);
    throw new CliError(`could not open local D1 and KV: ${message.split("\n")[0]}`);
  }
}

/**
 * Runs each call again while another process holds the local database
 * (`locked`: busy.ts), for up to LOCK_WAIT_MS; then one line. A failure that
 * is no lock is thrown at once, without the D1 simulator's stack that its
 * message may carry.
 */
function waitingForLocks(where: string, locked: LockTest): Attempt {
  return async (work) => {
    try {
      return await retryWhileLocked(work, { locked, timeoutMs: LOCK_WAIT_MS });
    } catch (err) {
      if (err instanceof StillLocked) {
        const seconds = Math.round(err.waitedMs / 1000);
        throw new CliError(
          `${where} stayed locked by npm run dev (or another process) for ${seconds} s; try again`,
        );
      }
      throw withoutStack(err);
    }
  };
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
