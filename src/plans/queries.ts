import { and, type Column, eq, isNull, type SQL, sql } from "drizzle-orm";
import { unionAll } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/database";
import { isUniqueViolation } from "../db/errors";
import { newestFirst } from "../db/pages";
import { planGroups, plans } from "../db/schema";
import { inTenant, noTable, patchOf, valuesWhere } from "../db/sql";
import { change, defineRead, defineWrite, param, select, tenantParams } from "../db/statements";
import { groupSnapshot } from "../membership/group-snapshot";
import { groupExists, hasRoom, joinAtEnd, leave, noGroup } from "../membership/membership";
import type { Tenant } from "../tenant";
import { fill, record } from "../webhooks/outbox";

const columns = {
  id: plans.id,
  code: plans.code,
  name: plans.name,
  description: plans.description,
  consumptionModel: plans.consumptionModel,
  isPublic: plans.isPublic,
  isFree: plans.isFree,
  blockOnExhaustion: plans.blockOnExhaustion,
  metadata: plans.metadata,
  planGroupId: plans.planGroupId,
  sortOrder: plans.sortOrder,
  createdAt: plans.createdAt,
  updatedAt: plans.updatedAt,
};

/** A plan as the service works with it; versions present it (src/versions). */
export type PlanRecord = {
  id: string;
  code: string;
  name: string;
  description: string | null;
  consumptionModel: "metered" | "credits" | "balance" | null;
  isPublic: boolean;
  isFree: boolean;
  blockOnExhaustion: boolean | null;
  metadata: Record<string, unknown> | null;
  planGroupId: string | null;
  sortOrder: number;
  createdAt: number;
  updatedAt: number;
};

const planId = param<string>("id");
const live = and(inTenant(plans, tenantParams), isNull(plans.deletedAt));
const thisPlan = and(eq(plans.id, planId), live) as SQL;
const planExists = sql`EXISTS (SELECT 1 FROM ${plans} WHERE ${thisPlan})`;

const bool = (column: Column) => sql`json(CASE WHEN ${column} THEN 'true' ELSE 'false' END)`;

/** The plan as JSON, in the shape of PlanRecord: what events carry. */
const planSnapshot = (plan: SQL) => sql<string>`(
  SELECT json_object(
    'id', ${plans.id}, 'code', ${plans.code}, 'name', ${plans.name},
    'description', ${plans.description}, 'consumptionModel', ${plans.consumptionModel},
    'isPublic', ${bool(plans.isPublic)}, 'isFree', ${bool(plans.isFree)},
    'blockOnExhaustion', CASE WHEN ${plans.blockOnExhaustion} IS NULL THEN NULL ELSE ${bool(plans.blockOnExhaustion)} END,
    'metadata', json(${plans.metadata}), 'planGroupId', ${plans.planGroupId},
    'sortOrder', ${plans.sortOrder}, 'createdAt', ${plans.createdAt}, 'updatedAt', ${plans.updatedAt})
  FROM ${plans} WHERE ${plans.id} = ${plan} AND ${inTenant(plans, tenantParams)}
)`;

/**
 * By ID, or by code when no plan has that ID. Two lookups in one statement,
 * one on the primary key and one on the live-code index: an `id = ? OR code = ?`
 * filter makes SQLite walk every plan of the tenant instead (D1 bills rows read).
 */
const planByIdOrCode = defineRead(columns, (from) =>
  unionAll(
    from()
      .from(plans)
      .where(and(eq(plans.id, param("idOrCode")), live)),
    from()
      .from(plans)
      .where(and(eq(plans.code, param("idOrCode")), live)),
  ),
);

export async function findPlan(db: Db, tenant: Tenant, idOrCode: string) {
  const rows = await db.read(planByIdOrCode, { ...tenant, idOrCode });
  return rows.find((row) => row.id === idOrCode) ?? rows[0] ?? null;
}

const planByIdEvenDeleted = defineRead(columns, (from) =>
  from()
    .from(plans)
    .where(and(eq(plans.id, planId), inTenant(plans, tenantParams))),
);

/** A plan by ID, also after it was deleted: what a create made, for an Idempotency-Key retry. */
export async function findCreatedPlan(db: Db, tenant: Tenant, id: string) {
  const [row] = await db.read(planByIdEvenDeleted, { ...tenant, id });
  return row ?? null;
}

/** Newest first, a page at a time: live plans, all of them or the public ones. */
const planPages = {
  all: newestFirst(plans, columns, isNull(plans.deletedAt)),
  public: newestFirst(plans, columns, and(isNull(plans.deletedAt), eq(plans.isPublic, true))),
};

export function listPlans(
  db: Db,
  tenant: Tenant,
  page: { after: string | null; limit: number; includePrivate: boolean },
): Promise<PlanRecord[]> {
  return (page.includePrivate ? planPages.all : planPages.public)(db, tenant, page);
}

type NewPlan = Omit<PlanRecord, "planGroupId" | "sortOrder" | "createdAt" | "updatedAt">;

const NEW_PLAN_FIELDS = [
  "id",
  "code",
  "name",
  "description",
  "consumptionModel",
  "isPublic",
  "isFree",
  "blockOnExhaustion",
  "metadata",
] as const;

const newPlanValues = Object.fromEntries(NEW_PLAN_FIELDS.map((f) => [f, param(f)]));

/** A new plan's values, encoded for their columns (booleans, JSON). */
function encodeNewPlan(plan: NewPlan): Record<string, unknown> {
  return Object.fromEntries(
    NEW_PLAN_FIELDS.map((f) => {
      const value = plan[f];
      return [f, value === null ? null : plans[f].mapToDriverValue(value as never)];
    }),
  );
}

const insertValues = (membership: { planGroupId: SQL; sortOrder: SQL }, when: SQL) =>
  valuesWhere(
    plans,
    {
      ...newPlanValues,
      orgId: tenantParams.orgId,
      mode: tenantParams.mode,
      ...membership,
      createdAt: param("now"),
      updatedAt: param("now"),
    },
    when,
  );

const created = record("plan.created", { when: planExists, data: planSnapshot(planId) });

const insertUngrouped = defineWrite({
  insert: change((b) => b.insert(plans).select(insertValues(noGroup, sql`1`))),
  created,
});

const groupId = param<string>("groupId");
const canJoin = sql`(${groupExists(groupId)} AND ${hasRoom(groupId)})`;

/**
 * The group's existence and room are checked by the statements themselves,
 * inside the batch, and a taken code fails the batch on the unique index: no
 * earlier read is trusted.
 */
const insertIntoGroup = defineWrite(
  {
    touch: change((b) =>
      b
        .update(planGroups)
        .set({ updatedAt: param("now") })
        .where(and(eq(planGroups.id, groupId), canJoin)),
    ),
    insert: change((b) => b.insert(plans).select(insertValues(joinAtEnd(groupId), canJoin))),
    created,
    added: record("plan_group.plan_added", { when: planExists, data: groupSnapshot(groupId) }),
    state: select({ group: sql<number>`${groupExists(groupId)}` }, (from) => from().from(noTable)),
    row: select(columns, (from) => from().from(plans).where(thisPlan)),
  },
  { precondition: () => canJoin },
);

type CreateOutcome =
  | { ok: true; plan: PlanRecord }
  | { ok: false; error: "duplicate_code" | "group_missing" | "full" };

export async function insertPlan(
  db: Db,
  tenant: Tenant,
  plan: NewPlan,
  groupIdOrNull: string | null,
  now: number,
): Promise<CreateOutcome> {
  const values = { ...tenant, ...encodeNewPlan(plan), now };
  try {
    if (groupIdOrNull === null) {
      await db.write(insertUngrouped, values, { resourceId: plan.id });
      return {
        ok: true,
        plan: { ...plan, planGroupId: null, sortOrder: 0, createdAt: now, updatedAt: now },
      };
    }
    const { row, state } = await db.write(
      insertIntoGroup,
      { ...values, groupId: groupIdOrNull },
      { resourceId: plan.id },
    );
    if (row[0]) return { ok: true, plan: row[0] };
    return { ok: false, error: state[0]?.group ? "full" : "group_missing" };
  } catch (err) {
    if (isUniqueViolation(err, "plans.code")) return { ok: false, error: "duplicate_code" };
    throw err;
  }
}

const patch = patchOf(plans, ["name", "description", "metadata", "isPublic"]);

const updateBatch = defineWrite(
  {
    updated: record("plan.updated", {
      when: sql`EXISTS (SELECT 1 FROM ${plans} WHERE ${thisPlan} AND ${patch.changed})`,
      previous: planSnapshot(planId),
    }),
    update: change((b) => b.update(plans).set(patch.set).where(thisPlan)),
    row: select(columns, (from) => from().from(plans).where(thisPlan)),
    fillUpdated: fill("plan.updated", planSnapshot(planId)),
  },
  { precondition: () => planExists },
);

type PlanPatch = {
  name?: string;
  description?: string | null;
  metadata?: Record<string, unknown> | null;
  isPublic?: boolean;
};

/**
 * Applies the fields sent in one statement; `updatedAt` moves, and
 * `plan.updated` is recorded, only if a value differs. An empty patch writes nothing.
 */
export async function updatePlan(
  db: Db,
  tenant: Tenant,
  id: string,
  changes: PlanPatch,
  now: number,
): Promise<PlanRecord | null> {
  if (Object.values(changes).every((v) => v === undefined)) return findPlanById(db, tenant, id);
  const { row } = await db.write(updateBatch, { ...tenant, id, now, ...patch.values(changes) });
  return row[0] ?? null;
}

const planById = defineRead(columns, (from) => from().from(plans).where(thisPlan));

export async function findPlanById(db: Db, tenant: Tenant, id: string) {
  const [row] = await db.read(planById, { ...tenant, id });
  return row ?? null;
}

const groupOfPlan = sql`(SELECT ${plans.planGroupId} FROM ${plans} WHERE ${thisPlan})`;
const leaving = leave({
  plan: planId,
  group: groupOfPlan,
  where: thisPlan,
  alsoSet: { deletedAt: param("now") },
});

/**
 * Soft delete: the plan leaves its group (the gap closes), disappears from
 * reads and frees its code. `plan.deleted` carries its last state.
 */
const deleteBatch = defineWrite(
  {
    deleted: record("plan.deleted", { when: planExists, data: planSnapshot(planId) }),
    removed: record("plan_group.plan_removed", { when: sql`${groupOfPlan} IS NOT NULL` }),
    touch: change((b) =>
      b
        .update(planGroups)
        .set({ updatedAt: param("now") })
        .where(and(eq(planGroups.id, groupOfPlan), inTenant(planGroups, tenantParams))),
    ),
    closeGap: leaving.closeGap,
    parkLeaver: leaving.parkLeaver,
    unparkRest: leaving.unparkRest,
    // Before the plan leaves, while its group is still known: the group as the removal leaves it.
    fillRemoved: fill("plan_group.plan_removed", groupSnapshot(groupOfPlan, planId)),
    detach: leaving.detach,
  },
  { precondition: () => planExists },
);

export async function softDeletePlan(db: Db, tenant: Tenant, id: string, now: number) {
  const { detach } = await db.write(deleteBatch, { ...tenant, id, now });
  return detach > 0;
}
