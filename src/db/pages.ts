import { and, type Column, desc, lt, type SQL, sql } from "drizzle-orm";
import type { SQLiteColumn, SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Tenant } from "../tenant";
import type { Db } from "./database";
import { inTenant } from "./sql";
import { defineRead, param, tenantParams } from "./statements";

type Listable = SQLiteTable & { id: SQLiteColumn; orgId: Column; mode: Column };

// Drizzle's select builder over a table of a generic type loses its chain's
// types; this is the part of it used here.
type Chain = {
  where(condition: SQL | undefined): Chain;
  orderBy(order: SQL): Chain;
  limit(limit: unknown): Chain;
  toSQL(): { sql: string; params: unknown[] };
};
type Selection = Record<string, SQLiteColumn | SQL | SQL.Aliased>;

/**
 * A tenant's rows of `table`, newest first (IDs sort by creation time), a page
 * at a time: from the top, or after a cursor's ID. Two reads compiled once;
 * `filter` narrows them (live plans, public ones).
 */
export function newestFirst<S extends Selection>(table: Listable, selection: S, filter?: SQL) {
  const page = (afterCursor: boolean) =>
    defineRead(selection, (from) =>
      (from().from(table) as unknown as Chain)
        .where(
          and(
            inTenant(table, tenantParams),
            filter,
            afterCursor ? lt(table.id, param("after")) : undefined,
          ),
        )
        .orderBy(desc(table.id))
        .limit(sql.placeholder("limit")),
    );
  const first = page(false);
  const next = page(true);
  return (db: Db, tenant: Tenant, p: { after: string | null; limit: number }) =>
    p.after
      ? db.read(next, { ...tenant, after: p.after, limit: p.limit })
      : db.read(first, { ...tenant, limit: p.limit });
}
