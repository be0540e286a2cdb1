/**
 * The scripts' KV and D1 over real bindings: the local ones a Miniflare
 * hands the scripts (platform.ts), and the tests' own. No Node imports here,
 * so the tests can import it.
 */
import { type Attempt, once } from "./busy";
import type { Kv } from "./kv";
import type { Row, Sql } from "./sql";

/**
 * KV over a binding. `prefix` puts every key under it, so a test that scans
 * the namespace (list, backfill) sees only its own entries. `attempt` runs
 * each call of the binding (a read, or one key put or deleted: the same again
 * changes nothing); platform.ts tries one again while `npm run dev` holds the
 * namespace's database (busy.ts).
 */
export function bindingKv(
  ns: KVNamespace,
  where: string,
  prefix = "",
  attempt: Attempt = once,
): Kv {
  return {
    where,
    async getMany(keys) {
      const values = new Map<string, string | null>();
      for (const key of keys) values.set(key, await attempt(() => ns.get(prefix + key)));
      return values;
    },
    async list(listPrefix) {
      const names: string[] = [];
      let cursor: string | undefined;
      do {
        const from = cursor;
        const page = await attempt(() => ns.list({ prefix: prefix + listPrefix, cursor: from }));
        names.push(...page.keys.map((k) => k.name.slice(prefix.length)));
        cursor = page.list_complete ? undefined : page.cursor;
      } while (cursor);
      return names;
    },
    async putMany(entries) {
      for (const { key, value, metadata } of entries)
        await attempt(() => ns.put(prefix + key, value, metadata ? { metadata } : {}));
    },
    async deleteMany(keys) {
      for (const key of keys) await attempt(() => ns.delete(prefix + key));
    },
  };
}

/**
 * D1 over a binding: the statements of one `run` go in one batch (one
 * transaction), as with wrangler. `attempt` runs each batch: platform.ts
 * tries one again while `npm run dev` holds the database (busy.ts); being one
 * transaction, a failed batch left nothing behind.
 */
export function bindingSql(db: D1Database, where: string, attempt: Attempt = once): Sql {
  const run = async (statements: readonly string[]) => {
    if (statements.length === 0) return [];
    const results = await attempt(() => db.batch<Row>(statements.map((s) => db.prepare(s))));
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
