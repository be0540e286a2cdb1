import { and, eq, type SQL, sql } from "drizzle-orm";
import { planGroups, plans } from "../db/schema";
import { inTenant, type TenantRef } from "../db/sql";
import { type Change, change, param, tenantParams } from "../db/statements";

/**
 * Membership of plans in groups: the one module that writes `plan_group_id`
 * and `sort_order`. Positions in a group are always exactly 0..n-1.
 *
 * SQLite checks unique indexes row by row, so shifting a run of positions in
 * place could collide with itself: rows that move are first parked at
 * `-(newPosition) - 1`, then put back by `unpark`, scoped to their group. Only
 * rows parked earlier in the same batch are ever negative.
 *
 * Every statement carries its tenant predicate itself, even where an earlier
 * check already implies it.
 */

export const MAX_PLANS_PER_GROUP = 100;

/** A group or plan ID in SQL: a parameter, a column or a subquery. */
type Ref = SQL;

export type Member = { id: string; name: string; sortOrder: number };

const tenant = tenantParams;

export const groupExists = (group: Ref, t: TenantRef = tenant) =>
  sql`EXISTS (SELECT 1 FROM ${planGroups} WHERE ${planGroups.id} = ${group} AND ${inTenant(planGroups, t)})`;

const inGroup = (group: Ref) => sql`${plans.planGroupId} = ${group} AND ${inTenant(plans, tenant)}`;

/** The membership columns of a new plan: appended to `group`, or in none. */
export const joinAtEnd = (group: Ref) => ({ planGroupId: group, sortOrder: memberCount(group) });
export const noGroup = { planGroupId: sql`NULL`, sortOrder: sql`0` };

const memberCount = (group: Ref) =>
  sql<number>`(SELECT count(*) FROM ${plans} WHERE ${inGroup(group)})`;

export const hasRoom = (group: Ref) => sql`${memberCount(group)} < ${MAX_PLANS_PER_GROUP}`;

/**
 * The members as one JSON array column, so a group comes back with its plans
 * in one statement. `without` leaves out a plan that is leaving in this batch.
 */
export const membersJson = (group: Ref, without?: Ref) => sql<string>`(
  SELECT coalesce(json_group_array(json_object('id', m.id, 'name', m.name, 'sortOrder', m.sort_order)), '[]')
  FROM (SELECT ${plans.id} AS id, ${plans.name} AS name, ${plans.sortOrder} AS sort_order
        FROM ${plans} WHERE ${inGroup(group)} ${without ? sql`AND ${plans.id} <> ${without}` : sql``}
        ORDER BY ${plans.sortOrder}) AS m
)`;

export function parseMembers(json: string): Member[] {
  return (JSON.parse(json) as Member[]).sort((a, b) => a.sortOrder - b.sortOrder);
}

const parked = (position: SQL) => sql`-(${position}) - 1`;

/** Puts the rows of `group` parked earlier in this batch at their final places. */
const unpark = (group: Ref, except?: Ref) =>
  change((b) =>
    b
      .update(plans)
      .set({ sortOrder: sql`-${plans.sortOrder} - 1`, updatedAt: param("now") })
      .where(
        and(
          inGroup(group),
          sql`${plans.sortOrder} < 0`,
          except ? sql`${plans.id} <> ${except}` : undefined,
        ),
      ),
  );

/**
 * Puts `plan` into `group` at `position` (or appends, when it is past the
 * end), shifting later members down by one, when `when` holds.
 */
export function insertAt(opts: { plan: Ref; group: Ref; position: SQL; when: SQL }) {
  const target = sql`min(${opts.position}, ${memberCount(opts.group)})`;
  return {
    shiftDown: change((b) =>
      b
        .update(plans)
        .set({ sortOrder: parked(sql`${plans.sortOrder} + 1`), updatedAt: param("now") })
        .where(and(inGroup(opts.group), sql`${plans.sortOrder} >= ${target}`, opts.when)),
    ),
    unparkShifted: unpark(opts.group),
    place: change((b) =>
      b
        .update(plans)
        .set({ planGroupId: sql`${opts.group}`, sortOrder: target, updatedAt: param("now") })
        .where(and(eq(plans.id, opts.plan), inTenant(plans, tenant), opts.when)),
    ),
  };
}

/**
 * Takes `plan` out of `group` and closes the gap. The leaver first parks
 * past the end (keeping its group, so `group` may be a subquery on it), the
 * members after it move up, and only then does it leave: `where` says which
 * plan may leave (and `alsoSet` what else changes on it, e.g. a soft delete).
 */
export function leave(opts: {
  plan: Ref;
  group: Ref;
  where: SQL;
  alsoSet?: Partial<Record<"deletedAt", SQL>>;
}): Record<"closeGap" | "parkLeaver" | "unparkRest" | "detach", Change> {
  const position = sql`(SELECT ${plans.sortOrder} FROM ${plans} WHERE ${plans.id} = ${opts.plan} AND ${inGroup(opts.group)})`;
  return {
    closeGap: change((b) =>
      b
        .update(plans)
        .set({ sortOrder: parked(sql`${plans.sortOrder} - 1`), updatedAt: param("now") })
        .where(and(inGroup(opts.group), sql`${plans.sortOrder} > ${position}`)),
    ),
    parkLeaver: change((b) =>
      b
        .update(plans)
        .set({ sortOrder: parked(memberCount(opts.group)) })
        .where(and(eq(plans.id, opts.plan), inGroup(opts.group))),
    ),
    unparkRest: unpark(opts.group, opts.plan),
    detach: change((b) =>
      b
        .update(plans)
        .set({ planGroupId: null, sortOrder: 0, updatedAt: param("now"), ...opts.alsoSet })
        .where(opts.where),
    ),
  };
}

/** Unlinks every member of `group` (a group being deleted); plans are never deleted. */
export const unlinkAll = (group: Ref, when: SQL) =>
  change((b) =>
    b
      .update(plans)
      .set({ planGroupId: null, sortOrder: 0, updatedAt: param("now") })
      .where(and(inGroup(group), when)),
  );

/**
 * Sets the order of `group` to exactly the JSON array `ids`, read with
 * json_each so 100 IDs stay within D1's 100 bound parameters. `exact` is true
 * when the list is the members, each once. Between `park` and `unpark`,
 * `moved` is true when the park moved a row: the list was exact and changes
 * the order. Statements placed there test it instead of `exact`, which costs
 * a scan of the list and a lookup per ID each time it is evaluated.
 */
export function reorder(opts: { group: Ref; ids: SQL }) {
  const { group, ids } = opts;
  const listed = sql`(SELECT j.key FROM json_each(${ids}) AS j WHERE j.value = ${plans.id})`;
  const exact = sql`(${memberCount(group)} = json_array_length(${ids})
    AND (SELECT count(DISTINCT value) FROM json_each(${ids})) = json_array_length(${ids})
    AND NOT EXISTS (
      SELECT 1 FROM json_each(${ids}) AS j
      WHERE NOT EXISTS (SELECT 1 FROM ${plans} WHERE ${plans.id} = j.value AND ${inGroup(group)})
    ))`;
  // Only rows parked earlier in the same batch are negative (the partial index plans_parked_idx).
  const moved = sql`EXISTS (SELECT 1 FROM ${plans} WHERE ${inGroup(group)} AND ${plans.sortOrder} < 0)`;
  // What `moved` will say, for a statement that must see the order before `park`.
  const changes = sql`(${groupExists(group)} AND ${exact} AND EXISTS (
    SELECT 1 FROM ${plans} WHERE ${inGroup(group)} AND ${plans.sortOrder} <> ${listed}))`;
  return {
    exact,
    moved,
    changes,
    park: change((b) =>
      b
        .update(plans)
        .set({ sortOrder: parked(listed), updatedAt: param("now") })
        .where(
          and(inGroup(group), sql`${plans.sortOrder} <> ${listed}`, groupExists(group), exact),
        ),
    ),
    unpark: unpark(group),
  };
}
