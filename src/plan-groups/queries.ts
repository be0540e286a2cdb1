import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/database";
import { newestFirst } from "../db/pages";
import { planGroups, plans } from "../db/schema";
import { inTenant, noTable, patchOf } from "../db/sql";
import { change, defineRead, defineWrite, param, select, tenantParams } from "../db/statements";
import { groupSnapshot } from "../membership/group-snapshot";
import type { JoinFailure } from "../membership/join-errors";
import {
  groupExists,
  hasRoom,
  insertAt,
  leave,
  type Member,
  membersJson,
  parseMembers,
  reorder,
  unlinkAll,
} from "../membership/membership";
import type { Tenant } from "../tenant";
import { fill, record } from "../webhooks/outbox";

/** A plan group as the service works with it; versions present it (src/versions). */
export type PlanGroupRecord = {
  id: string;
  name: string;
  description: string | null;
  isPublic: boolean;
  createdAt: number;
  updatedAt: number;
  plans: Member[];
};

const groupId = param<string>("id");
const planId = param<string>("planId");
const thisGroup = and(eq(planGroups.id, groupId), inTenant(planGroups, tenantParams));
const exists = groupExists(groupId);

const columns = {
  id: planGroups.id,
  name: planGroups.name,
  description: planGroups.description,
  isPublic: planGroups.isPublic,
  createdAt: planGroups.createdAt,
  updatedAt: planGroups.updatedAt,
  plans: membersJson(sql`${planGroups.id}`),
};

type Row = Omit<PlanGroupRecord, "plans"> & { plans: string };
const withMembers = (row: Row): PlanGroupRecord => ({ ...row, plans: parseMembers(row.plans) });

const groupById = defineRead(columns, (from) => from().from(planGroups).where(thisGroup));

export async function findGroup(db: Db, tenant: Tenant, id: string) {
  const [row] = await db.read(groupById, { ...tenant, id });
  return row ? withMembers(row) : null;
}

const groupPages = newestFirst(planGroups, columns);

/** One page, newest first, each group with its members. */
export async function listGroups(
  db: Db,
  tenant: Tenant,
  page: { after: string | null; limit: number },
): Promise<PlanGroupRecord[]> {
  return (await groupPages(db, tenant, page)).map(withMembers);
}

const insertBatch = defineWrite({
  insert: change((b) =>
    b.insert(planGroups).values({
      id: sql.placeholder("id"),
      orgId: sql.placeholder("orgId"),
      mode: sql.placeholder("mode"),
      name: sql.placeholder("name"),
      description: sql.placeholder("description"),
      isPublic: sql.placeholder("isPublic"),
      createdAt: sql.placeholder("now"),
      updatedAt: sql.placeholder("now"),
    }),
  ),
  created: record("plan_group.created", { when: sql`1`, data: groupSnapshot(groupId) }),
});

type NewGroup = { id: string; name: string; description: string | null; isPublic: boolean };

export async function insertGroup(
  db: Db,
  tenant: Tenant,
  group: NewGroup,
  now: number,
): Promise<PlanGroupRecord> {
  await db.write(insertBatch, { ...tenant, ...group, now }, { resourceId: group.id });
  return { ...group, createdAt: now, updatedAt: now, plans: [] };
}

const patch = patchOf(planGroups, ["name", "description", "isPublic"]);

const updateBatch = defineWrite(
  {
    updated: record("plan_group.updated", {
      when: sql`EXISTS (SELECT 1 FROM ${planGroups} WHERE ${thisGroup} AND ${patch.changed})`,
      previous: groupSnapshot(groupId),
    }),
    update: change((b) => b.update(planGroups).set(patch.set).where(thisGroup)),
    row: select(columns, (from) => from().from(planGroups).where(thisGroup)),
    fillUpdated: fill("plan_group.updated", groupSnapshot(groupId)),
  },
  { precondition: () => exists },
);

type GroupPatch = { name?: string; description?: string | null; isPublic?: boolean };

/**
 * Applies the fields sent. `updatedAt` moves, and `plan_group.updated` is
 * recorded, only when a value really differs, which SQL decides in the batch.
 * An empty patch writes nothing.
 */
export async function updateGroup(
  db: Db,
  tenant: Tenant,
  id: string,
  changes: GroupPatch,
  now: number,
): Promise<PlanGroupRecord | null> {
  if (Object.values(changes).every((v) => v === undefined)) return findGroup(db, tenant, id);
  const { row } = await db.write(updateBatch, { ...tenant, id, now, ...patch.values(changes) });
  return row[0] ? withMembers(row[0]) : null;
}

const deleteBatch = defineWrite(
  {
    deleted: record("plan_group.deleted", { when: exists, data: groupSnapshot(groupId) }),
    unlink: unlinkAll(groupId, exists),
    remove: change((b) => b.delete(planGroups).where(thisGroup)),
  },
  { precondition: () => exists },
);

/** Unlinks the members (never deletes a plan), then deletes the group. */
export async function deleteGroup(db: Db, tenant: Tenant, id: string, now: number) {
  const { remove } = await db.write(deleteBatch, { ...tenant, id, now });
  return remove > 0;
}

type AddOutcome = { ok: true; sortOrder: number } | { ok: false; error: JoinFailure };

const livePlan = sql`${plans.id} = ${planId} AND ${inTenant(plans, tenantParams)} AND ${plans.deletedAt} IS NULL`;
const planFree = sql`EXISTS (SELECT 1 FROM ${plans} WHERE ${livePlan} AND ${plans.planGroupId} IS NULL)`;
const canAdd = sql`(${exists} AND ${planFree} AND ${hasRoom(groupId)})`;

/**
 * Inserts a plan at `position` (or appends). Every statement re-checks the
 * same preconditions (group in tenant, plan live and ungrouped, room left),
 * so a concurrent write can never leave a half-applied change; `state` says
 * what failed.
 */
const addBatch = defineWrite(
  {
    added: record("plan_group.plan_added", { when: canAdd }),
    touch: change((b) =>
      b
        .update(planGroups)
        .set({ updatedAt: param("now") })
        .where(and(thisGroup, canAdd)),
    ),
    ...insertAt({ plan: planId, group: groupId, position: param("position"), when: canAdd }),
    state: select(
      {
        group: sql<number>`${exists}`,
        plan: sql<number>`EXISTS (SELECT 1 FROM ${plans} WHERE ${livePlan})`,
        planGroupId: sql<
          string | null
        >`(SELECT ${plans.planGroupId} FROM ${plans} WHERE ${livePlan})`,
        sortOrder: sql<number>`(SELECT ${plans.sortOrder} FROM ${plans} WHERE ${livePlan})`,
      },
      (from) => from().from(noTable),
    ),
    fillAdded: fill("plan_group.plan_added", groupSnapshot(groupId)),
  },
  { precondition: () => canAdd },
);

export async function addPlanToGroup(
  db: Db,
  tenant: Tenant,
  id: string,
  plan: string,
  position: number,
  now: number,
): Promise<AddOutcome> {
  const { place, state } = await db.write(addBatch, {
    ...tenant,
    id,
    planId: plan,
    position,
    now,
  });
  const s = state[0];
  if (place > 0 && s) return { ok: true, sortOrder: s.sortOrder };
  if (!s?.group) return { ok: false, error: "group_missing" };
  if (!s.plan) return { ok: false, error: "plan_missing" };
  if (s.planGroupId !== null) return { ok: false, error: "in_group" };
  return { ok: false, error: "full" };
}

const isMember = sql`EXISTS (SELECT 1 FROM ${plans} WHERE ${plans.id} = ${planId} AND ${plans.planGroupId} = ${groupId} AND ${inTenant(plans, tenantParams)})`;
const canRemove = sql`(${exists} AND ${isMember})`;

/** Unlinks a plan from this group and closes the gap behind it. */
const removeBatch = defineWrite(
  {
    removed: record("plan_group.plan_removed", { when: canRemove }),
    touch: change((b) =>
      b
        .update(planGroups)
        .set({ updatedAt: param("now") })
        .where(and(thisGroup, isMember)),
    ),
    ...leave({
      plan: planId,
      group: groupId,
      where: and(
        eq(plans.id, planId),
        eq(plans.planGroupId, groupId),
        inTenant(plans, tenantParams),
      ) as SQL,
    }),
    state: select({ group: sql<number>`${exists}` }, (from) => from().from(noTable)),
    fillRemoved: fill("plan_group.plan_removed", groupSnapshot(groupId)),
  },
  { precondition: () => canRemove },
);

export async function removePlanFromGroup(
  db: Db,
  tenant: Tenant,
  id: string,
  plan: string,
  now: number,
): Promise<"removed" | "group_missing" | "plan_missing"> {
  const { detach, state } = await db.write(removeBatch, { ...tenant, id, planId: plan, now });
  if (detach > 0) return "removed";
  return state[0]?.group ? "plan_missing" : "group_missing";
}

type ReorderOutcome =
  | { ok: true; plans: Member[] }
  | { ok: false; error: "group_missing" }
  | { ok: false; error: "mismatch"; current: Member[] };

const order = reorder({ group: groupId, ids: param("ids") });

/**
 * Sets the order to exactly `planIds`. The list is checked against the
 * members inside the transaction: a plan added concurrently makes the list
 * stale and the reorder fails instead of dropping it. An order that changes
 * nothing writes nothing and records no event.
 */
const reorderBatch = defineWrite(
  {
    // Before `park`, which leaves the members at negative positions: `previous` is the old order.
    reordered: record("plan_group.plans_reordered", {
      when: order.changes,
      previous: groupSnapshot(groupId),
    }),
    park: order.park,
    touch: change((b) =>
      b
        .update(planGroups)
        .set({ updatedAt: param("now") })
        .where(and(thisGroup, order.moved)),
    ),
    unpark: order.unpark,
    state: select(
      {
        group: sql<number>`${exists}`,
        exact: sql<number>`${order.exact}`,
        members: membersJson(groupId),
      },
      (from) => from().from(noTable),
    ),
    fillReordered: fill("plan_group.plans_reordered", groupSnapshot(groupId)),
  },
  { precondition: () => sql`(${exists} AND ${order.exact})` },
);

export async function reorderGroup(
  db: Db,
  tenant: Tenant,
  id: string,
  planIds: string[],
  now: number,
): Promise<ReorderOutcome> {
  const { state } = await db.write(reorderBatch, {
    ...tenant,
    id,
    ids: JSON.stringify(planIds),
    now,
  });
  const s = state[0];
  if (!s?.group) return { ok: false, error: "group_missing" };
  const members = parseMembers(s.members);
  return s.exact
    ? { ok: true, plans: members }
    : { ok: false, error: "mismatch", current: members };
}
