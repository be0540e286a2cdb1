import { fillPlaceholders, is, type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import type { SelectResultFields } from "drizzle-orm/query-builders/select.types";
import { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Mode } from "../tenant";

/**
 * The one way this service writes SQL. Every statement is written with
 * Drizzle's builders, compiled to SQL text once per isolate (with a
 * placeholder for every value that varies), and bound per call on the
 * request's own D1 session. Drizzle would otherwise rebuild the text on every
 * call: 0.1-0.4 ms per query in workerd, as much as a local D1 round trip.
 *
 * `compiler` only ever produces SQL text: nothing runs through it.
 */
const runsNothing = () => {
  throw new Error("the SQL compiler only builds SQL text");
};
export const compiler = drizzle({
  prepare: runsNothing,
  batch: runsNothing,
  exec: runsNothing,
} as unknown as D1Database);
type Compiler = typeof compiler;

type Compiled = { sql: string; params: unknown[] };
type Buildable = { toSQL(): Compiled };

/** Values of one call, by placeholder name. */
export type Values = Record<string, unknown>;

/** A value filled in per call from `values[name]`, bound as given (encode JSON yourself). */
export const param = <T = unknown>(name: string): SQL<T> => sql<T>`${sql.placeholder(name)}`;

/** The tenant, filled from each call's `orgId` and `mode`. */
export const tenantParams = { orgId: param<string>("orgId"), mode: param<Mode>("mode") };

type Selection = Record<string, SQLiteColumn | SQL | SQL.Aliased>;
type Aliased<S extends Selection> = { [K in keyof S]: SQL.Aliased };

/** A SELECT: its result is the decoded rows. */
type Select<Row> = { kind: "select"; compile(): Compiled; decode(rows: unknown[]): Row[] };
/** An INSERT, UPDATE or DELETE: its result is how many rows it changed. */
export type Change = { kind: "change"; compile(): Compiled };
/**
 * An INSERT into the webhook outbox (`RETURNING dispatched_at`): its result
 * is whether it recorded the event. The database layer fills its id and
 * reports the events recorded for delivery (those not dispatched already).
 */
type EventInsert = { kind: "event"; type: string; compile(): Compiled };
export type Statement = Select<unknown> | Change | EventInsert;

type ResultOf<S> = S extends Select<infer Row> ? Row[] : S extends EventInsert ? boolean : number;
export type Results<T extends Record<string, Statement>> = { [K in keyof T]: ResultOf<T[K]> };

function once(build: () => Buildable): () => Compiled {
  let compiled: Compiled | undefined;
  return () => {
    compiled ??= build().toSQL();
    return compiled;
  };
}

/**
 * A SELECT of `selection`. `build` gets a function that starts
 * `SELECT <selection> ` (call it twice for a UNION) and adds the rest. Every
 * field is aliased to its key, so rows read the same in a batch and alone,
 * and columns are decoded with their own decoders (booleans, JSON), as Drizzle does.
 */
export function select<S extends Selection>(
  selection: S,
  build: (from: () => ReturnType<typeof compiler.select<Aliased<S>>>) => Buildable,
): Select<SelectResultFields<S>> {
  const keys = Object.keys(selection);
  const aliased = Object.fromEntries(
    keys.map((key) => [key, sql`${selection[key]}`.as(key)]),
  ) as Aliased<S>;
  const decoders = keys.map((key) => {
    const field = selection[key];
    return is(field, SQLiteColumn) ? (v: unknown) => field.mapFromDriverValue(v) : null;
  });
  return {
    kind: "select",
    compile: once(() => build(() => compiler.select(aliased))),
    decode: (rows) =>
      rows.map((row) => {
        const record = row as Record<string, unknown>;
        const out: Record<string, unknown> = {};
        keys.forEach((key, i) => {
          const value = record[key] ?? null;
          const decode = decoders[i];
          out[key] = value === null || !decode ? value : decode(value);
        });
        return out as SelectResultFields<S>;
      }),
  };
}

/** A write statement, built with the compiler's insert/update/delete. */
export function change(build: (b: Compiler) => Buildable): Change {
  return { kind: "change", compile: once(() => build(compiler)) };
}

/** The placeholder the id of a batch's event of `type` is bound to. */
export const eventIdParam = (type: string) => `__event_${type}`;

/** The placeholders every write binds to its request's x-request-id and Idempotency-Key (null without). */
export const REQUEST_ID_PARAM = "__request_id";
export const IDEMPOTENCY_KEY_PARAM = "__idempotency_key";

/** An outbox insert; see src/webhooks/outbox.ts. */
export function eventInsert(type: string, build: () => Buildable): EventInsert {
  return { kind: "event", type, compile: once(build) };
}

/** A read: one SELECT, one round trip. */
export type Read<Row> = { kind: "read"; statement: Select<Row> };

export function defineRead<S extends Selection>(
  selection: S,
  build: (from: () => ReturnType<typeof compiler.select<Aliased<S>>>) => Buildable,
): Read<SelectResultFields<S>> {
  return { kind: "read", statement: select(selection, build) };
}

/**
 * A write: one transaction of named statements, one round trip, results read
 * by name. `precondition` is what must hold, before any statement runs, for
 * the write to apply (its statements check it themselves); the Idempotency-Key
 * claim is inserted only when it holds, so a claim always proves a write.
 */
export type Write<T extends Record<string, Statement>> = {
  kind: "write";
  statements: T;
  precondition: (() => SQL) | null;
};

export function defineWrite<T extends Record<string, Statement>>(
  statements: T,
  options: { precondition?: () => SQL } = {},
): Write<T> {
  // A batch that only reads would claim an Idempotency-Key without writing.
  if (!Object.values(statements).some((s) => s.kind !== "select")) {
    throw new Error("a write needs at least one INSERT, UPDATE or DELETE");
  }
  return { kind: "write", statements, precondition: options.precondition ?? null };
}

/** One statement bound to one call's values. */
export function bind(
  session: D1Database | D1DatabaseSession,
  statement: Statement,
  values: Values,
): D1PreparedStatement {
  const { sql: text, params } = statement.compile();
  return session.prepare(text).bind(...fillPlaceholders(params, values));
}

/** Whether an outbox insert recorded an event that still has to be delivered. */
export const toDeliver = (result: D1Result) =>
  (result.results as { dispatched_at?: unknown }[]).some((row) => row.dispatched_at === null);

/** A statement's own result, from D1's result for it. */
export function resultOf(statement: Statement, result: D1Result): unknown {
  if (statement.kind === "select") return statement.decode(result.results);
  if (statement.kind === "event") return result.results.length > 0;
  return result.meta.changes ?? 0;
}
