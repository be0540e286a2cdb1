/**
 * Which local D1 databases and KV namespace the scripts open: the ones
 * `npm run dev` uses. Pure (no Node imports), so the tests can import it.
 */
import { parse } from "smol-toml";

type D1Table = {
  binding: string;
  database_id?: string;
  preview_database_id?: string;
  migrations_dir?: string;
  migrations_table?: string;
};
type KvTable = { binding: string; id?: string; preview_id?: string };
type Bindings = { d1_databases?: D1Table[]; kv_namespaces?: KvTable[] };
type WranglerToml = Bindings & { env?: Record<string, Bindings> };

export type LocalDatabase = { id: string; migrationsDir: string; migrationsTable?: string };
export type LocalIds = { DB: LocalDatabase; HISTORY_DB: LocalDatabase; API_KEYS: string };

/**
 * The local IDs of DB, HISTORY_DB and API_KEYS, as wrangler picks them for
 * local state (its d1DatabaseEntry and kvNamespaceEntry): the preview ID,
 * else the ID, else the binding's name; with each
 * database's migrations folder (wrangler's default: `migrations`). Bindings
 * are not inherited by an environment: `--env` reads that environment's own
 * tables, as wrangler does.
 */
export function localIds(toml: string, env?: string): LocalIds {
  const config = parse(toml) as WranglerToml;
  const scope = env === undefined ? config : config.env?.[env];
  if (!scope) throw new Error(`wrangler.toml has no [env.${env}]`);
  const where = env === undefined ? "wrangler.toml" : `[env.${env}] of wrangler.toml`;
  const database = (binding: string): LocalDatabase => {
    const d = scope.d1_databases?.find((table) => table.binding === binding);
    if (!d) throw new Error(`${where} binds no D1 database as ${binding}`);
    return {
      id: d.preview_database_id ?? d.database_id ?? d.binding,
      migrationsDir: d.migrations_dir ?? "migrations",
      ...(d.migrations_table ? { migrationsTable: d.migrations_table } : {}),
    };
  };
  const [db, history] = [database("DB"), database("HISTORY_DB")];
  const kv = scope.kv_namespaces?.find((k) => k.binding === "API_KEYS");
  if (!kv) throw new Error(`${where} binds no KV namespace as API_KEYS`);
  return { DB: db, HISTORY_DB: history, API_KEYS: kv.preview_id ?? kv.id ?? kv.binding };
}
