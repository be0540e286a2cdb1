import { and, desc, eq, getTableColumns, isNull, lt, sql } from "drizzle-orm";
import { unionAll } from "drizzle-orm/sqlite-core";
import type { Database } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import {
  inTenant,
  parkedAt,
  type TenantRef,
  unpark,
  updatedAtIfChanged,
  valuesWhere,
} from "../db/helpers";
import { param, preparedRead, tenantParams } from "../db/prepared";
import { type PlanRow, planGroups, plans } from "../db/schema";
import type { Tenant } from "../env";
import { groupExists, hasRoom, memberCount } from "../plan-groups/queries";

export type NewPlan = Omit<typeof plans.$inferInsert, "planGroupId" | "sortOrder" | "deletedAt">;

export type CreateOutcome =
  | { ok: true; plan: PlanRow }
  | { ok: false; error: "duplicate_code" | "group_missing" | "full" };

const live = (tenant: TenantRef) => and(inTenant(plans, tenant), isNull(plans.deletedAt));
const planColumns = getTableColumns(plans);

/**
 * Inserts a plan, appended to `groupId` when given. The group's existence and
 * room are checked by the INSERT itself, inside the batch, and a taken code
 * fails the batch on the unique index: no earlier read is trusted.
 */
export async function insertPlan(
  db: Database,
  tenant: Tenant,
  plan: NewPlan,
  groupId: string | null,
): Promise<CreateOutcome> {
  try {
    if (groupId === null) {
      const [[row]] = await db.batch([db.insert(plans).values(plan).returning()]);
      if (!row) throw new Error("insert returned no row");
      return { ok: true, plan: row };
    }
    const ok = sql`${groupExists(tenant, groupId)} AND ${hasRoom(groupId)}`;
    const [, inserted, [state]] = await db.batch([
      db
        .update(planGroups)
        .set({ updatedAt: plan.createdAt })
        .where(and(eq(planGroups.id, groupId), ok)),
      db
        .insert(plans)
        .select(
          valuesWhere(
            plans,
            { ...plan, planGroupId: groupId, sortOrder: memberCount(groupId) },
            ok,
          ),
        )
        .returning(),
      db.select({ group: sql<number>`${groupExists(tenant, groupId)}` }).from(sql`(SELECT 1)`),
    ]);
    const row = inserted[0];
    if (row) return { ok: true, plan: row };
    return { ok: false, error: state?.group ? "full" : "group_missing" };
  } catch (err) {
    if (isUniqueViolation(err, "plans.code")) return { ok: false, error: "duplicate_code" };
    throw err;
  }
}

/**
 * By ID, or by code when no plan has that ID. Two lookups in one statement,
 * one on the primary key and one on the live-code index: an `id = ? OR code = ?`
 * filter makes SQLite walk every plan of the tenant instead (D1 bills rows read).
 */
const planByIdOrCode = preparedRead(planColumns, (select) =>
  unionAll(
    select()
      .from(plans)
      .where(and(eq(plans.id, param("idOrCode")), live(tenantParams))),
    select()
      .from(plans)
      .where(and(eq(plans.code, param("idOrCode")), live(tenantParams))),
  ),
);

export async function findPlan(db: Database, tenant: Tenant, idOrCode: string) {
  const rows = await planByIdOrCode(db, { ...tenant, idOrCode });
  return rows.find((row) => row.id === idOrCode) ?? rows[0] ?? null;
}

/** Newest first: public plans or all of them, from the top or after a cursor's ID. */
const planPage = (includePrivate: boolean, afterCursor: boolean) =>
  preparedRead(planColumns, (select) =>
    select()
      .from(plans)
      .where(
        and(
          live(tenantParams),
          includePrivate ? undefined : eq(plans.isPublic, true),
          afterCursor ? lt(plans.id, param("after")) : undefined,
        ),
      )
      .orderBy(desc(plans.id))
      .limit(sql.placeholder("limit")),
  );

const planPages = {
  public: { first: planPage(false, false), after: planPage(false, true) },
  all: { first: planPage(true, false), after: planPage(true, true) },
};

export function listPlans(
  db: Database,
  tenant: Tenant,
  page: { after: string | null; limit: number; includePrivate: boolean },
) {
  const pages = page.includePrivate ? planPages.all : planPages.public;
  return page.after
    ? pages.after(db, { ...tenant, after: page.after, limit: page.limit })
    : pages.first(db, { ...tenant, limit: page.limit });
}

export type PlanPatch = {
  name?: string;
  description?: string | null;
  metadata?: Record<string, unknown> | null;
  isPublic?: boolean;
};

/** Applies the patch in one statement; `updatedAt` moves only if a value differs. */
export async function updatePlan(
  db: Database,
  tenant: Tenant,
  id: string,
  patch: PlanPatch,
  now: number,
): Promise<PlanRow | null> {
  const updatedAt = updatedAtIfChanged(plans, patch, now);
  const where = and(eq(plans.id, id), live(tenant));
  if (!updatedAt) {
    const [row] = await db.select().from(plans).where(where);
    return row ?? null;
  }
  const [[row]] = await db.batch([
    db
      .update(plans)
      .set({ ...patch, updatedAt })
      .where(where)
      .returning(),
  ]);
  return row ?? null;
}

/**
 * Soft delete: the plan leaves its group (the gap closes), disappears from
 * reads and frees its code for a new plan.
 */
export async function softDeletePlan(db: Database, tenant: Tenant, id: string, now: number) {
  const target = and(eq(plans.id, id), live(tenant));
  const groupOf = sql`(SELECT ${plans.planGroupId} FROM ${plans} WHERE ${target})`;
  const positionOf = sql`(SELECT ${plans.sortOrder} FROM ${plans} WHERE ${target})`;
  const [, , deleted] = await db.batch([
    db.update(planGroups).set({ updatedAt: now }).where(eq(planGroups.id, groupOf)),
    db
      .update(plans)
      .set({ sortOrder: parkedAt(sql`${plans.sortOrder} - 1`), updatedAt: now })
      .where(and(eq(plans.planGroupId, groupOf), sql`${plans.sortOrder} > ${positionOf}`)),
    db
      .update(plans)
      .set({ deletedAt: now, updatedAt: now, planGroupId: null, sortOrder: 0 })
      .where(target)
      .returning({ id: plans.id }),
    unpark(db, now),
  ]);
  return deleted.length > 0;
}
