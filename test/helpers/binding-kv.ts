import type { Kv } from "../../scripts/lib/kv";

/**
 * The scripts' view of KV over a real binding. Keys live under `prefix`, so a
 * test that scans the namespace (list, backfill) sees only its own entries;
 * an empty prefix writes where the worker reads.
 */
export function bindingKv(ns: KVNamespace, prefix = `t_${crypto.randomUUID()}/`): Kv {
  return {
    where: "test KV",
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
