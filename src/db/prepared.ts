import { fillPlaceholders, is, type SQL, sql } from "drizzle-orm";
import type { SelectResultFields } from "drizzle-orm/query-builders/select.types";
import { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Tenant } from "../env";
import { createDb, type Database } from "./client";

/**
 * Drizzle rebuilds a query's SQL text on every call, and maps results through
 * generic machinery: for our hot queries that cost more CPU in workerd than
 * their own D1 work (0.1 to 0.4 ms to build a read or a batch, about 1 ms in
 * all for a reorder). A prepared query builds its SQL once per isolate, with
 * `sql.placeholder()` for every value that varies, and a call only binds its
 * values on the request's D1 session: still one `raw()` or one `batch()`.
 */

type Query = { sql: string; params: unknown[] };
type Buildable = { toSQL(): Query };

/** Builds SQL text only; running anything through it is a bug. */
const compiler = createDb({
  prepare() {
    throw new Error("the SQL compiler cannot run statements");
  },
  batch() {
    throw new Error("the SQL compiler cannot run statements");
  },
} as unknown as D1Database);

/** A value filled in per call, from the value of the same name. */
export const param = (name: string): SQL => sql`${sql.placeholder(name)}`;

/** The tenant, filled from each call's `orgId` and `mode`. */
export const tenantParams = { orgId: param("orgId"), mode: param("mode") };

type Values = Tenant & Record<string, unknown>;

const bind = (db: Database, query: Query, values: Values) =>
  db.$client.prepare(query.sql).bind(...fillPlaceholders(query.params, values));

/** A selection of columns and SQL expressions; expressions come back as D1 returns them. */
type Selection = Record<string, SQLiteColumn | SQL>;

/**
 * A read: `build` gets `select(selection)` and adds the rest. Rows are decoded
 * with the selected columns' own decoders (booleans, JSON), as drizzle does.
 */
export function preparedRead<S extends Selection>(
  selection: S,
  build: (select: () => ReturnType<typeof compiler.select<S>>) => Buildable,
) {
  type Row = SelectResultFields<S>;
  const fields = Object.entries(selection);
  let query: Query | undefined;
  return async (db: Database, values: Values): Promise<Row[]> => {
    query ??= build(() => compiler.select(selection)).toSQL();
    const rows = await bind(db, query, values).raw();
    return rows.map((row) => {
      const out: Record<string, unknown> = {};
      fields.forEach(([key, field], i) => {
        const value = row[i];
        out[key] =
          value === null || !is(field, SQLiteColumn) ? value : field.mapFromDriverValue(value);
      });
      return out as Row;
    });
  };
}

/**
 * A write: one transaction of the statements `build` returns, in order. Each
 * result is D1's own: `meta.changes` for writes, rows keyed by column alias
 * for selects (see `firstRow`).
 */
export function preparedBatch(build: (db: Database) => Buildable[]) {
  let queries: Query[] | undefined;
  return (db: Database, values: Values): Promise<D1Result[]> => {
    queries ??= build(compiler).map((statement) => statement.toSQL());
    return db.$client.batch(queries.map((query) => bind(db, query, values)));
  };
}

/** The first row of a batch result, typed by the caller who wrote its aliases. */
export const firstRow = <T>(result: D1Result | undefined) => result?.results[0] as T | undefined;

/** How many rows a write in a batch changed. */
export const changes = (result: D1Result | undefined) => result?.meta.changes ?? 0;
