import { and, desc, eq, isNull, lt, sql } from "drizzle-orm";
import { unionAll } from "drizzle-orm/sqlite-core";
import type { Database } from "../db/client";
import { isUniqueViolation } from "../db/errors";
import { inTenant, parkedAt, unpark, updatedAtIfChanged, valuesWhere } from "../db/helpers";
import { type PlanRow, planGroups, plans } from "../db/schema";
import type { Tenant } from "../env";
import { groupExists, hasRoom, memberCount } from "../plan-groups/queries";

export type NewPlan = Omit<typeof plans.$inferInsert, "planGroupId" | "sortOrder" | "deletedAt">;

export type CreateOutcome =
  | { ok: true; plan: PlanRow }
  | { ok: false; error: "duplicate_code" | "group_missing" | "full" };

const live = (tenant: Tenant) => and(inTenant(plans, tenant), isNull(plans.deletedAt));

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
export async function findPlan(db: Database, tenant: Tenant, idOrCode: string) {
  const rows = await unionAll(
    db
      .select()
      .from(plans)
      .where(and(eq(plans.id, idOrCode), live(tenant))),
    db
      .select()
      .from(plans)
      .where(and(eq(plans.code, idOrCode), live(tenant))),
  );
  return rows.find((row) => row.id === idOrCode) ?? rows[0] ?? null;
}

export function listPlans(
  db: Database,
  tenant: Tenant,
  page: { after: string | null; limit: number; includePrivate: boolean },
) {
  return db
    .select()
    .from(plans)
    .where(
      and(
        live(tenant),
        page.includePrivate ? undefined : eq(plans.isPublic, true),
        page.after ? lt(plans.id, page.after) : undefined,
      ),
    )
    .orderBy(desc(plans.id))
    .limit(page.limit);
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
