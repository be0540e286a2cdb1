import { and, desc, eq, lt, type SQL, sql } from "drizzle-orm";
import type { Database } from "../db/client";
import { inTenant, parkedAt, type TenantRef, unpark, updatedAtIfChanged } from "../db/helpers";
import {
  changes,
  firstRow,
  param,
  preparedBatch,
  preparedRead,
  tenantParams,
} from "../db/prepared";
import { planGroups, plans } from "../db/schema";
import type { Tenant } from "../env";

export const MAX_PLANS_PER_GROUP = 100;

/** A group ID in SQL: a value, or a column or parameter of a prepared query. */
type GroupRef = SQL | string;

export type Member = { id: string; name: string; sortOrder: number };
export type GroupWithPlans = Omit<typeof planGroups.$inferSelect, "orgId" | "mode"> & {
  plans: Member[];
};

// A group's members as one JSON column: a group and its plans in one statement,
// and a page of groups with all their plans in one statement too.
const membersJson = (groupId: GroupRef) => sql<string>`(
  SELECT coalesce(json_group_array(json_object('id', m.id, 'name', m.name, 'sortOrder', m.sort_order)), '[]')
  FROM (SELECT id, name, sort_order FROM plans WHERE plan_group_id = ${groupId} ORDER BY sort_order) AS m
)`;

const groupColumns = {
  id: planGroups.id,
  name: planGroups.name,
  description: planGroups.description,
  isPublic: planGroups.isPublic,
  createdAt: planGroups.createdAt,
  updatedAt: planGroups.updatedAt,
  plans: membersJson(sql`${planGroups.id}`),
};

type GroupSelectRow = Omit<GroupWithPlans, "plans"> & { plans: string };

export function parseMembers(json: string): Member[] {
  return (JSON.parse(json) as Member[]).sort((a, b) => a.sortOrder - b.sortOrder);
}

const withMembers = (row: GroupSelectRow): GroupWithPlans => ({
  ...row,
  plans: parseMembers(row.plans),
});

const selectGroup = (db: Database, tenant: Tenant, id: string) =>
  db
    .select(groupColumns)
    .from(planGroups)
    .where(and(eq(planGroups.id, id), inTenant(planGroups, tenant)));

const groupById = preparedRead(groupColumns, (select) =>
  select()
    .from(planGroups)
    .where(and(eq(planGroups.id, param("id")), inTenant(planGroups, tenantParams))),
);

/** Newest first, from the top or after a cursor's ID. */
const groupPage = (afterCursor: boolean) =>
  preparedRead(groupColumns, (select) =>
    select()
      .from(planGroups)
      .where(
        and(
          inTenant(planGroups, tenantParams),
          afterCursor ? lt(planGroups.id, param("after")) : undefined,
        ),
      )
      .orderBy(desc(planGroups.id))
      .limit(sql.placeholder("limit")),
  );

const groupPages = { first: groupPage(false), after: groupPage(true) };

export const groupExists = (tenant: TenantRef, groupId: GroupRef) =>
  sql`EXISTS (SELECT 1 FROM ${planGroups} WHERE ${planGroups.id} = ${groupId} AND ${inTenant(planGroups, tenant)})`;

export const memberCount = (groupId: GroupRef) =>
  sql`(SELECT count(*) FROM ${plans} WHERE ${plans.planGroupId} = ${groupId})`;

export const hasRoom = (groupId: GroupRef) => sql`${memberCount(groupId)} < ${MAX_PLANS_PER_GROUP}`;

export async function insertGroup(
  db: Database,
  row: typeof planGroups.$inferInsert,
): Promise<GroupWithPlans> {
  const [[created]] = await db.batch([db.insert(planGroups).values(row).returning()]);
  if (!created) throw new Error("insert returned no row");
  return { ...created, plans: [] };
}

export async function findGroup(db: Database, tenant: Tenant, id: string) {
  const [row] = await groupById(db, { ...tenant, id });
  return row ? withMembers(row) : null;
}

/** One page, newest first, each group with its members. */
export async function listGroups(
  db: Database,
  tenant: Tenant,
  page: { after: string | null; limit: number },
): Promise<GroupWithPlans[]> {
  const rows = page.after
    ? await groupPages.after(db, { ...tenant, after: page.after, limit: page.limit })
    : await groupPages.first(db, { ...tenant, limit: page.limit });
  return rows.map(withMembers);
}

/**
 * Applies the changed fields and returns the group. `updatedAt` moves only
 * when a value actually differs, which SQL decides inside the same statement.
 */
export async function updateGroup(
  db: Database,
  tenant: Tenant,
  id: string,
  patch: { name?: string; description?: string | null; isPublic?: boolean },
  now: number,
) {
  const updatedAt = updatedAtIfChanged(planGroups, patch, now);
  if (!updatedAt) return findGroup(db, tenant, id);
  const [, [row]] = await db.batch([
    db
      .update(planGroups)
      .set({
        ...patch,
        updatedAt,
      })
      .where(and(eq(planGroups.id, id), inTenant(planGroups, tenant))),
    selectGroup(db, tenant, id),
  ]);
  return row ? withMembers(row) : null;
}

/** Unlinks the members (never deletes a plan), then deletes the group. */
export async function deleteGroup(db: Database, tenant: Tenant, id: string, now: number) {
  const [, deleted] = await db.batch([
    db
      .update(plans)
      .set({ planGroupId: null, sortOrder: 0, updatedAt: now })
      .where(and(eq(plans.planGroupId, id), groupExists(tenant, id))),
    db
      .delete(planGroups)
      .where(and(eq(planGroups.id, id), inTenant(planGroups, tenant)))
      .returning({ id: planGroups.id }),
  ]);
  return deleted.length > 0;
}

export type AddOutcome =
  | { ok: true; sortOrder: number }
  | { ok: false; error: "group_missing" | "plan_missing" | "in_group" | "full" };

/**
 * Inserts a plan at `position` (or appends), shifting later members down.
 * Every statement re-checks the same preconditions (group in tenant, plan live
 * and ungrouped, room left), so a concurrent write between our requests can
 * never leave a half-applied change; the last statement says what failed.
 */
const addBatch = preparedBatch((db) => {
  const groupId = param("groupId");
  const planId = param("planId");
  const now = param("now");
  const livePlan = sql`${plans.id} = ${planId} AND ${inTenant(plans, tenantParams)} AND ${plans.deletedAt} IS NULL`;
  const planFree = sql`EXISTS (SELECT 1 FROM ${plans} WHERE ${livePlan} AND ${plans.planGroupId} IS NULL)`;
  const ok = sql`${groupExists(tenantParams, groupId)} AND ${planFree} AND ${hasRoom(groupId)}`;
  const target = sql`min(${param("position")}, ${memberCount(groupId)})`;
  return [
    db
      .update(planGroups)
      .set({ updatedAt: now })
      .where(and(eq(planGroups.id, groupId), ok)),
    db
      .update(plans)
      .set({ sortOrder: parkedAt(sql`${plans.sortOrder} + 1`), updatedAt: now })
      .where(and(eq(plans.planGroupId, groupId), sql`${plans.sortOrder} >= ${target}`, ok)),
    unpark(db, now),
    db
      .update(plans)
      .set({ planGroupId: groupId, sortOrder: target, updatedAt: now })
      .where(and(eq(plans.id, planId), ok)),
    db
      .select({
        group: sql`${groupExists(tenantParams, groupId)}`.as("group"),
        plan: sql`EXISTS (SELECT 1 FROM ${plans} WHERE ${livePlan})`.as("plan"),
        planGroupId: sql`(SELECT ${plans.planGroupId} FROM ${plans} WHERE ${livePlan})`.as(
          "planGroupId",
        ),
        sortOrder: sql`(SELECT ${plans.sortOrder} FROM ${plans} WHERE ${livePlan})`.as("sortOrder"),
      })
      .from(sql`(SELECT 1)`),
  ];
});

export async function addPlanToGroup(
  db: Database,
  tenant: Tenant,
  groupId: string,
  planId: string,
  position: number | null,
  now: number,
): Promise<AddOutcome> {
  const results = await addBatch(db, {
    ...tenant,
    groupId,
    planId,
    position: position ?? MAX_PLANS_PER_GROUP,
    now,
  });
  const state = firstRow<{
    group: number;
    plan: number;
    planGroupId: string | null;
    sortOrder: number;
  }>(results[4]);
  if (changes(results[3]) > 0 && state) return { ok: true, sortOrder: state.sortOrder };
  if (!state?.group) return { ok: false, error: "group_missing" };
  if (!state.plan) return { ok: false, error: "plan_missing" };
  if (state.planGroupId !== null) return { ok: false, error: "in_group" };
  return { ok: false, error: "full" };
}

/** Unlinks a plan from this group and closes the gap behind it. */
const removeBatch = preparedBatch((db) => {
  const groupId = param("groupId");
  const planId = param("planId");
  const now = param("now");
  const member = sql`EXISTS (SELECT 1 FROM ${plans} WHERE ${plans.id} = ${planId} AND ${plans.planGroupId} = ${groupId})`;
  const position = sql`(SELECT ${plans.sortOrder} FROM ${plans} WHERE ${plans.id} = ${planId} AND ${plans.planGroupId} = ${groupId})`;
  const group = groupExists(tenantParams, groupId);
  return [
    db
      .update(planGroups)
      .set({ updatedAt: now })
      .where(and(eq(planGroups.id, groupId), inTenant(planGroups, tenantParams), member)),
    db
      .update(plans)
      .set({ sortOrder: parkedAt(sql`${plans.sortOrder} - 1`), updatedAt: now })
      .where(and(eq(plans.planGroupId, groupId), sql`${plans.sortOrder} > ${position}`, group)),
    db
      .update(plans)
      .set({ planGroupId: null, sortOrder: 0, updatedAt: now })
      .where(and(eq(plans.id, planId), eq(plans.planGroupId, groupId), group)),
    unpark(db, now),
    db.select({ group: sql`${group}`.as("group") }).from(sql`(SELECT 1)`),
  ];
});

export async function removePlanFromGroup(
  db: Database,
  tenant: Tenant,
  groupId: string,
  planId: string,
  now: number,
): Promise<"removed" | "group_missing" | "plan_missing"> {
  const results = await removeBatch(db, { ...tenant, groupId, planId, now });
  if (changes(results[2]) > 0) return "removed";
  return firstRow<{ group: number }>(results[4])?.group ? "plan_missing" : "group_missing";
}

export type ReorderOutcome =
  | { ok: true; plans: Member[] }
  | { ok: false; error: "group_missing" }
  | { ok: false; error: "mismatch"; current: Member[] };

/**
 * Sets the order to exactly `planIds`. The IDs travel as one JSON parameter
 * read with json_each, so 100 IDs stay within D1's 100 bound parameters. The
 * list is checked against the members inside the transaction: a plan added
 * concurrently makes the list stale and the reorder fails instead of dropping it.
 */
const reorderBatch = preparedBatch((db) => {
  const groupId = param("groupId");
  const ids = param("ids");
  const now = param("now");
  const listed = sql`(SELECT j.key FROM json_each(${ids}) AS j WHERE j.value = ${plans.id})`;
  const exact = sql`${memberCount(groupId)} = json_array_length(${ids})
    AND (SELECT count(DISTINCT value) FROM json_each(${ids})) = json_array_length(${ids})
    AND NOT EXISTS (
      SELECT 1 FROM json_each(${ids}) AS j
      WHERE NOT EXISTS (SELECT 1 FROM ${plans} WHERE ${plans.id} = j.value AND ${plans.planGroupId} = ${groupId})
    )`;
  const moves = sql`EXISTS (
    SELECT 1 FROM json_each(${ids}) AS j JOIN ${plans} ON ${plans.id} = j.value
    WHERE ${plans.planGroupId} = ${groupId} AND ${plans.sortOrder} <> j.key
  )`;
  return [
    db
      .update(planGroups)
      .set({ updatedAt: now })
      .where(and(eq(planGroups.id, groupId), inTenant(planGroups, tenantParams), exact, moves)),
    db
      .update(plans)
      .set({ sortOrder: parkedAt(listed), updatedAt: now })
      .where(
        and(
          eq(plans.planGroupId, groupId),
          sql`${plans.sortOrder} <> ${listed}`,
          groupExists(tenantParams, groupId),
          exact,
        ),
      ),
    unpark(db, now),
    db
      .select({
        group: sql`${groupExists(tenantParams, groupId)}`.as("group"),
        exact: sql`${exact}`.as("exact"),
        members: membersJson(groupId).as("members"),
      })
      .from(sql`(SELECT 1)`),
  ];
});

export async function reorderGroup(
  db: Database,
  tenant: Tenant,
  groupId: string,
  planIds: string[],
  now: number,
): Promise<ReorderOutcome> {
  const results = await reorderBatch(db, {
    ...tenant,
    groupId,
    ids: JSON.stringify(planIds),
    now,
  });
  const state = firstRow<{ group: number; exact: number; members: string }>(results[3]);
  if (!state?.group) return { ok: false, error: "group_missing" };
  const members = parseMembers(state.members);
  return state.exact
    ? { ok: true, plans: members }
    : { ok: false, error: "mismatch", current: members };
}
