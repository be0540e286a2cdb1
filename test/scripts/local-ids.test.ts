/**
 * The scripts open the local D1 and KV that `npm run dev` uses: the IDs
 * wrangler gives a binding in local state, from wrangler.toml's tables.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { localIds } from "../../scripts/lib/local-ids";

const TOML = `
name = "x"

[[d1_databases]]
binding = "DB"
database_name = "catalog"
database_id = "db-root"

[[d1_databases]]
binding = "HISTORY_DB"
database_name = "history"
database_id = "db-history"
migrations_dir = "migrations-history"

[[kv_namespaces]]
binding = "API_KEYS"
id = "kv-root"
preview_id = "kv-root-preview"

[env.staging]
name = "x-staging"

[[env.staging.d1_databases]]
binding = "DB"
database_name = "catalog-staging"
database_id = "db-staging"
preview_database_id = "db-staging-preview"

[[env.staging.d1_databases]]
binding = "HISTORY_DB"
database_name = "history-staging"
database_id = "db-history-staging"
migrations_dir = "migrations-history"
migrations_table = "history_migrations"

[[env.staging.kv_namespaces]]
binding = "API_KEYS"
id = "kv-staging"

[env.bare]
name = "x-bare"
`;

describe("localIds", () => {
  it("reads the top-level bindings, with each database's migrations folder", () => {
    expect(localIds(TOML)).toEqual({
      DB: { id: "db-root", migrationsDir: "migrations" },
      HISTORY_DB: { id: "db-history", migrationsDir: "migrations-history" },
      API_KEYS: "kv-root-preview",
    });
  });

  it("reads an environment's own tables, preferring the preview database ID as wrangler does", () => {
    expect(localIds(TOML, "staging")).toEqual({
      DB: { id: "db-staging-preview", migrationsDir: "migrations" },
      HISTORY_DB: {
        id: "db-history-staging",
        migrationsDir: "migrations-history",
        migrationsTable: "history_migrations",
      },
      API_KEYS: "kv-staging",
    });
  });

  it("falls back to the binding's name when a table has no ID", () => {
    const bare = [
      '[[d1_databases]]\nbinding = "DB"',
      '[[d1_databases]]\nbinding = "HISTORY_DB"',
      '[[kv_namespaces]]\nbinding = "API_KEYS"',
    ].join("\n");
    expect(localIds(bare)).toEqual({
      DB: { id: "DB", migrationsDir: "migrations" },
      HISTORY_DB: { id: "HISTORY_DB", migrationsDir: "migrations" },
      API_KEYS: "API_KEYS",
    });
  });

  it("names an unknown environment", () => {
    expect(() => localIds(TOML, "nope")).toThrow("wrangler.toml has no [env.nope]");
  });

  it("does not inherit bindings into an environment that declares none", () => {
    expect(() => localIds(TOML, "bare")).toThrow(
      "[env.bare] of wrangler.toml binds no D1 database as DB",
    );
  });

  it("names the same databases and namespace as wrangler does locally, in every environment of wrangler.toml", () => {
    const wrangler = JSON.parse(env.WRANGLER_LOCAL_IDS) as Record<
      string,
      { d1: Record<string, { id: string }>; kv: Record<string, { id: string }> }
    >;
    expect(Object.keys(wrangler)).toEqual(expect.arrayContaining(["", "staging", "production"]));
    for (const [name, theirs] of Object.entries(wrangler)) {
      const ours = localIds(env.WRANGLER_TOML, name || undefined);
      expect(ours.DB.id, name).toBe(theirs.d1.DB?.id);
      expect(ours.HISTORY_DB.id, name).toBe(theirs.d1.HISTORY_DB?.id);
      expect(ours.API_KEYS, name).toBe(theirs.kv.API_KEYS?.id);
    }
  });
});
