import { type Column, getTableColumns, type SQL, sql } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Tenant } from "../env";
import type { Database } from "./client";
import { type planGroups, plans } from "./schema";

/** A tenant's values, or parameters standing for them in a prepared query. */
export type TenantRef = Tenant | { [K in keyof Tenant]: SQL };

/** Both tenant columns, so no query can forget one of them. */
export const inTenant = (table: typeof plans | typeof planGroups, tenant: TenantRef) =>
  sql`${table.orgId} = ${tenant.orgId} AND ${table.mode} = ${tenant.mode}`;

/**
 * `SELECT <values in column order> WHERE <condition>` for `insert().select()`:
 * an INSERT that only happens if its precondition still holds inside the
 * transaction. Values go through each column's own encoder (booleans, JSON).
 */
export function valuesWhere<T extends SQLiteTable>(
  table: T,
  values: { [K in keyof T["$inferInsert"]]?: T["$inferInsert"][K] | SQL },
  condition: SQL,
): SQL {
  const columns = Object.entries(getTableColumns(table));
  const list = columns.map(([key, column]) => {
    const value = (values as Record<string, unknown>)[key];
    if (value === undefined) return sql`NULL`;
    if (value instanceof Object && "getSQL" in value) return value as SQL;
    return sql.param(value, column);
  });
  return sql`SELECT ${sql.join(list, sql`, `)} WHERE ${condition}`;
}

/** Parks a row that must end at `position`: stored as `-position - 1`. */
export const parkedAt = (position: SQL | number) => sql`-(${position}) - 1`;

/**
 * Puts parked rows at their final, non-negative places. SQLite enforces
 * unique indexes row by row, so shifting a run of positions in place could
 * collide with itself; parking them at negative values first avoids that.
 * Only rows parked earlier in the same batch are negative.
 */
export const unpark = (db: Database, now: number | SQL) =>
  db
    .update(plans)
    .set({ sortOrder: sql`-${plans.sortOrder} - 1`, updatedAt: now })
    .where(sql`${plans.sortOrder} < 0`);

/**
 * `updated_at` for an UPDATE that sets `patch`: moves to `now` only if some
 * value really differs, decided by SQL in the same statement. Null when the
 * patch is empty (nothing to write).
 */
export function updatedAtIfChanged<T extends typeof plans | typeof planGroups>(
  table: T,
  patch: Record<string, unknown>,
  now: number,
): SQL | null {
  const columns = getTableColumns(table) as Record<string, Column>;
  const changed = Object.entries(patch)
    .filter(([key, value]) => value !== undefined && columns[key])
    .map(([key, value]) => {
      const column = columns[key] as Column;
      return sql`${column} IS NOT ${sql.param(value, column)}`;
    });
  if (changed.length === 0) return null;
  return sql`CASE WHEN ${sql.join(changed, sql` OR `)} THEN ${now} ELSE ${table.updatedAt} END`;
}
