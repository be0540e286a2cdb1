import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import app from "../../src/app";

export type Counts = { d1: number; kvGet: number };

/**
 * The real bindings, with a tally of what crosses the network: each D1
 * statement execution or batch is one round trip, each KV get one read.
 * Nothing is faked; every call goes through to the real D1 and KV. It also
 * records where each D1 session started (locally there are no replicas, so
 * that is what read-replication tests can check). Round trips to the history
 * database (HISTORY_DB) are tallied apart, in `history`, so `counts` keeps
 * meaning the catalog database.
 */
export function countingEnv() {
  const counts: Counts = { d1: 0, kvGet: 0 };
  const history = { d1: 0 };
  /** Every SQL text prepared through the catalog binding, for checking query plans. */
  const prepared = new Set<string>();
  /** The same for the history binding (plans checked against its own schema). */
  const historyPrepared = new Set<string>();
  /** The constraint or bookmark each D1 session of the last request started from. */
  const sessions: (string | undefined)[] = [];
  const originals = new WeakMap<object, D1PreparedStatement>();
  const unwrap = (s: D1PreparedStatement) => originals.get(s) ?? s;

  type Tally = { d1: number };
  const statement = (stmt: D1PreparedStatement, tally: Tally): D1PreparedStatement => {
    const proxy = new Proxy(stmt, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (typeof value !== "function") return value;
        if (prop === "bind") {
          return (...args: unknown[]) => statement(value.apply(target, args), tally);
        }
        if (prop === "run" || prop === "all" || prop === "first" || prop === "raw") {
          return (...args: unknown[]) => {
            tally.d1++;
            return value.apply(target, args);
          };
        }
        return value.bind(target);
      },
    });
    originals.set(proxy, stmt);
    return proxy;
  };

  const database = <T extends D1Database | D1DatabaseSession>(
    db: T,
    tally: Tally,
    texts: Set<string>,
  ): T =>
    new Proxy(db, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        if (typeof value !== "function") return value;
        if (prop === "prepare") {
          return (query: string) => {
            texts.add(query);
            return statement(value.call(target, query), tally);
          };
        }
        if (prop === "batch") {
          return (stmts: D1PreparedStatement[]) => {
            tally.d1++;
            return value.call(target, stmts.map(unwrap));
          };
        }
        if (prop === "exec") {
          return (query: string) => {
            tally.d1++;
            return value.call(target, query);
          };
        }
        if (prop === "withSession") {
          return (constraint?: string) => {
            sessions.push(constraint);
            return database(value.call(target, constraint), tally, texts);
          };
        }
        return value.bind(target);
      },
    });

  const kv = new Proxy(env.API_KEYS, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (prop === "get" || prop === "getWithMetadata") {
        return (...args: unknown[]) => {
          counts.kvGet++;
          return value.apply(target, args);
        };
      }
      return value.bind(target);
    },
  });

  const counted = {
    ...env,
    DB: database(env.DB, counts, prepared),
    HISTORY_DB: database(env.HISTORY_DB, history, historyPrepared),
    API_KEYS: kv,
  };

  /** One request through the app with the counted bindings; counts cover deferred work too. */
  async function request(
    method: string,
    path: string,
    key: string,
    body?: unknown,
    extraHeaders: Record<string, string> = {},
  ) {
    counts.d1 = 0;
    counts.kvGet = 0;
    history.d1 = 0;
    sessions.length = 0;
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request(`http://api.test/api/v1${path}`, {
        method,
        headers: {
          "x-api-key": key,
          // As the SDKs do: a request that names its version needs no pin.
          "Commet-Version": "2026-07-11",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...extraHeaders,
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
      counted,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    return {
      status: res.status,
      headers: res.headers,
      body: await res.json<Record<string, unknown>>(),
      counts: { ...counts },
      /** Round trips to the history database. */
      history: history.d1,
      sessions: [...sessions],
    };
  }

  return { request, env: counted, prepared, historyPrepared };
}
