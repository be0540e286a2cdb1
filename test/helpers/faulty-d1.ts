import { env } from "cloudflare:test";

/**
 * What to do with one batch, by the SQL of its statements: run it, fail it
 * before it runs, or run it (commit) and then fail as if the answer was lost.
 */
export type Fault = "ok" | "fail" | "commit-then-fail";

/**
 * The real D1 binding (and its sessions), with batches failing where `decide`
 * says. Nothing is faked: every batch that runs goes to the real database.
 * `decide` may also wait, and change the database meanwhile: a concurrent
 * writer landing just before that batch.
 */
export function faultyD1(
  decide: (sql: string[]) => Fault | Promise<Fault>,
  base: D1Database = env.DB,
): D1Database {
  const sqlOf = new WeakMap<object, string>();
  const originals = new WeakMap<object, D1PreparedStatement>();
  const wrap = <T extends D1Database | D1DatabaseSession>(db: T): T =>
    new Proxy(db, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (typeof value !== "function") return value;
        if (prop === "prepare") {
          return (query: string) => {
            const statement = value.call(target, query) as D1PreparedStatement;
            return new Proxy(statement, {
              get(s, p) {
                const v = Reflect.get(s, p, s);
                if (p !== "bind" || typeof v !== "function") {
                  return typeof v === "function" ? v.bind(s) : v;
                }
                return (...args: unknown[]) => {
                  const bound = v.apply(s, args) as D1PreparedStatement;
                  const alone = new Proxy(bound, {
                    get(b, q) {
                      const f = Reflect.get(b, q, b);
                      if (typeof f !== "function") return f;
                      if (!["all", "first", "raw", "run"].includes(String(q))) return f.bind(b);
                      return async (...rest: unknown[]) => {
                        if ((await decide([query])) === "fail") {
                          throw new Error("D1_ERROR: Network connection lost.");
                        }
                        return f.apply(b, rest);
                      };
                    },
                  });
                  sqlOf.set(alone, query);
                  originals.set(alone, bound);
                  return alone;
                };
              },
            });
          };
        }
        if (prop === "batch") {
          return async (statements: D1PreparedStatement[]) => {
            const fault = await decide(statements.map((s) => sqlOf.get(s) ?? ""));
            if (fault === "fail") throw new Error("D1_ERROR: Network connection lost.");
            const results = await value.call(
              target,
              statements.map((s) => originals.get(s) ?? s),
            );
            if (fault === "commit-then-fail") {
              throw new Error("D1_ERROR: Network connection lost.");
            }
            return results;
          };
        }
        if (prop === "withSession") {
          return (constraint?: string) => wrap(value.call(target, constraint));
        }
        return value.bind(target);
      },
    });
  return wrap(base);
}

/** Matches the first `n` batches for which `test` holds. */
export function firstOnly(n: number, test: (sql: string[]) => boolean) {
  let seen = 0;
  return (sql: string[]) => {
    if (!test(sql) || seen >= n) return false;
    seen += 1;
    return true;
  };
}

/** The write batch that carries an Idempotency-Key claim (`INSERT ... SELECT ... WHERE`). */
export const claims = (sql: string[]) =>
  sql.some((s) => /^insert into "idempotency_keys" .* select /i.test(s)) &&
  !sql.some((s) => /on conflict do nothing/i.test(s));
export const storesResponse = (sql: string[]) =>
  sql.some((s) => /update "idempotency_keys" set "status_code"/.test(s));
export const marksFinished = (sql: string[]) =>
  sql.some((s) => /update "idempotency_keys" set "finished_at"/.test(s));
export const readsKeyRecord = (sql: string[]) =>
  sql.length === 1 && /^select .* from "idempotency_keys"/.test(sql[0] ?? "");

/**
 * The real D1 binding (`base`: the catalog's by default), where `change`
 * runs once, just before the first batch for which `test` holds: another
 * request's write landing in between.
 */
export function changedBefore(
  test: (sql: string[]) => boolean,
  change: () => Promise<unknown>,
  base: D1Database = env.DB,
) {
  const first = firstOnly(1, test);
  return faultyD1(async (sql): Promise<Fault> => {
    if (first(sql)) await change();
    return "ok";
  }, base);
}
