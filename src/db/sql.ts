import { type Column, getTableColumns, type SQL, sql } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Tenant } from "../tenant";
import { param } from "./statements";

/** A tenant's values, or parameters standing for them in a compiled statement. */
export type TenantRef = Tenant | { [K in keyof Tenant]: SQL };

type TenantTable = SQLiteTable & { orgId: Column; mode: Column };

/** Both tenant columns, so no statement can forget one of them. */
export const inTenant = (table: TenantTable, tenant: TenantRef) =>
  sql`${table.orgId} = ${tenant.orgId} AND ${table.mode} = ${tenant.mode}`;

/** `SELECT 1`: the FROM of a statement that only computes values. */
export const noTable = sql`(SELECT 1)`;

/**
 * `SELECT <values in column order> WHERE <condition>` for `insert().select()`:
 * an INSERT that only happens if its condition holds inside the transaction.
 * Columns without a value get their numeric default, or NULL.
 */
export function valuesWhere<T extends SQLiteTable>(
  table: T,
  values: { [K in keyof T["$inferInsert"]]?: SQL },
  condition: SQL,
): SQL {
  const list = Object.entries(getTableColumns(table)).map(
    ([key, column]) =>
      (values as Record<string, SQL | undefined>)[key] ??
      (typeof column.default === "number" ? sql.raw(String(column.default)) : sql`NULL`),
  );
  return sql`SELECT ${sql.join(list, sql`, `)} WHERE ${condition}`;
}

/**
 * A patch of optional fields as one fixed statement: each field `f` is set
 * from `f` only when `set_f` is 1, and `updated_at` moves to `now` only when
 * some value really differs, decided by SQL in the same statement.
 */
export function patchOf<T extends SQLiteTable & { updatedAt: Column }>(table: T, fields: string[]) {
  const columns = getTableColumns(table) as Record<string, Column>;
  const set: Record<string, SQL> = {};
  const differs: SQL[] = [];
  for (const field of fields) {
    const column = columns[field];
    if (!column) throw new Error(`no column ${field}`);
    set[field] = sql`CASE WHEN ${param(`set_${field}`)} THEN ${param(field)} ELSE ${column} END`;
    differs.push(sql`(${param(`set_${field}`)} AND ${column} IS NOT ${param(field)})`);
  }
  const changed = sql`(${sql.join(differs, sql` OR `)})`;
  return {
    /** The SET clause, `updated_at` included. */
    set: {
      ...set,
      updatedAt: sql`CASE WHEN ${changed} THEN ${param("now")} ELSE ${table.updatedAt} END`,
    },
    /** True, before the UPDATE, when it will change something. */
    changed,
    /** The values binding a patch: `set_f` flags and each value encoded for its column. */
    values(patch: Record<string, unknown>) {
      const out: Record<string, unknown> = {};
      for (const field of fields) {
        const value = patch[field];
        out[`set_${field}`] = value === undefined ? 0 : 1;
        const column = columns[field] as Column;
        out[field] = value === undefined || value === null ? null : column.mapToDriverValue(value);
      }
      return out;
    },
  };
}
