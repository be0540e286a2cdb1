/**
 * The API_KEYS namespace and the DB database for a script. Locally, in this
 * process through wrangler's getPlatformProxy: the bindings of wrangler.toml
 * (or of `--env`'s environment) over the state `npm run dev` persists to:
 * one workerd for the whole command (it starts in about a second), where a
 * `wrangler d1 execute` or `wrangler kv` process per step took 1.5-2 s each.
 * With `--remote`, through wrangler processes against
 * the deployed resources, as before (getPlatformProxy only reaches those
 * through a Cloudflare login and a remote proxy session).
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import type * as Wrangler from "wrangler";
import { bindingKv, bindingSql } from "./bindings";
import { CliError } from "./cli";
import type { Kv } from "./kv";
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
  /** Stops the local runtime; the script's process cannot exit before. */
  close(): Promise<void>;
};

type Bindings = { API_KEYS: KVNamespace; DB: D1Database };

/** `prefix` starts the progress line, as in `dev: `. */
export async function openStores(target: Target, prefix = ""): Promise<Stores> {
  if (target.remote) {
    return { kv: wranglerKv(target), sql: wranglerSql(target), close: async () => {} };
  }
  const where = localState(target);
  const proxy = await sayIfSlow(
    openLocal(target),
    `${prefix}opening local D1 and KV (${where})...`,
  );
  return {
    kv: bindingKv(proxy.env.API_KEYS, `local KV (${where})`),
    sql: migrated(bindingSql(proxy.env.DB, `local D1 (${where})`)),
    close: () => proxy.dispose(),
  };
}

async function openLocal(target: Target) {
  for (const [name, value] of Object.entries(WRANGLER_SETTINGS)) process.env[name] ??= value;
  // Only wrangler's warnings: its "Using secrets defined in .dev.vars" would
  // land on stdout, where key:create prints the key alone.
  process.env.WRANGLER_LOG ??= "warn";
  // The proxy registers the worker's name in wrangler's dev registry and
  // removes it when done, which would drop a running `npm run dev`'s entry.
  process.env.WRANGLER_REGISTRY_PATH ??= join(ROOT, ".wrangler/registry-scripts");
  // Loaded here, not at the top: wrangler takes a second to load, and
  // `--help`, a usage mistake or `--remote` need none of it. `require`, not
  // `import()`: importing its 13 MB CommonJS build from ESM first scans it
  // for export names, which doubles the time.
  const { getPlatformProxy } = createRequire(import.meta.url)("wrangler") as typeof Wrangler;
  try {
    return await getPlatformProxy<Bindings>({
      configPath: join(ROOT, "wrangler.toml"),
      environment: target.env,
      // getPlatformProxy's own default is relative to the working directory.
      persist: { path: join(target.persistTo ?? STATE_DIR, "v3") },
      // Local only: a remote binding would need a Cloudflare login and the network.
      remoteBindings: false,
    });
  } catch (err) {
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
