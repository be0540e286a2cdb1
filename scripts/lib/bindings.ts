/**
 * The scripts' KV and D1 over real bindings: the local ones a Miniflare
 * hands the scripts (platform.ts), and the tests' own. No Node imports here,
 * so the tests can import it.
 */
import type { Kv } from "./kv";
import type { Row, Sql } from "./sql";

/**
 * KV over a binding. `prefix` puts every key under it, so a test that scans
 * the namespace (list, backfill) sees only its own entries.
 */
export function bindingKv(ns: KVNamespace, where: string, prefix = ""): Kv {
  return {
    where,
    async getMany(keys) {
      const values = new Map<string, string | null>();
      for (const key of keys) values.set(key, await ns.get(prefix + key));
      return values;
    },
    async list(listPrefix) {
      const names: string[] = [];
      let cursor: string | undefined;
      do {
        const page = await ns.list({ prefix: prefix + listPrefix, cursor });
        names.push(...page.keys.map((k) => k.name.slice(prefix.length)));
        cursor = page.list_complete ? undefined : page.cursor;
      } while (cursor);
      return names;
    },
    async putMany(entries) {
      for (const { key, value, metadata } of entries)
        await ns.put(prefix + key, value, metadata ? { metadata } : {});
    },
    async deleteMany(keys) {
      for (const key of keys) await ns.delete(prefix + key);
    },
  };
}

/** D1 over a binding: the statements of one `run` go in one batch (one transaction), as with wrangler. */
export function bindingSql(db: D1Database, where: string): Sql {
  const run = async (statements: readonly string[]) => {
    if (statements.length === 0) return [];
    const results = await db.batch<Row>(statements.map((s) => db.prepare(s)));
    return results.map((r) => r.results);
  };
  return {
    where,
    run,
    async all(query) {
      return (await run([query]))[0] ?? [];
    },
  };
}
