import fc from "fast-check";

/**
 * A model of groups and plans kept by the test: what the API must answer to
 * each operation, and what state it must be in afterwards. Operations name
 * objects by index into every ID ever created (deleted ones included), so a
 * sequence also exercises writes to deleted and foreign objects.
 */
export type Op =
  | { op: "createGroup" }
  | { op: "createPlan"; group: number | null }
  | { op: "add"; plan: number; group: number; sortOrder: number | null }
  | { op: "remove"; plan: number; group: number }
  | { op: "reorder"; group: number; shape: ReorderShape; pick: number; shuffle: number[] }
  | { op: "deletePlan"; plan: number }
  | { op: "deleteGroup"; group: number };

type ReorderShape = "permutation" | "missing" | "extra" | "repeated" | "foreign";

const index = fc.nat({ max: 50 });

export const opArb: fc.Arbitrary<Op> = fc.oneof(
  { arbitrary: fc.constant({ op: "createGroup" as const }), weight: 1 },
  {
    arbitrary: fc.record({ op: fc.constant("createPlan" as const), group: fc.option(index) }),
    weight: 2,
  },
  {
    arbitrary: fc.record({
      op: fc.constant("add" as const),
      plan: index,
      group: index,
      sortOrder: fc.option(fc.nat({ max: 6 })),
    }),
    weight: 6,
  },
  {
    arbitrary: fc.record({ op: fc.constant("remove" as const), plan: index, group: index }),
    weight: 3,
  },
  {
    arbitrary: fc.record({
      op: fc.constant("reorder" as const),
      group: index,
      shape: fc.constantFrom<ReorderShape>(
        "permutation",
        "permutation",
        "missing",
        "extra",
        "repeated",
        "foreign",
      ),
      pick: index,
      shuffle: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ op: fc.constant("deletePlan" as const), plan: index }), weight: 1 },
  { arbitrary: fc.record({ op: fc.constant("deleteGroup" as const), group: index }), weight: 1 },
);

export type Expected =
  | { status: 200 | 201; sortOrder?: number }
  | { status: number; code: string; param: string };

const nth = <T>(list: T[], i: number): T | undefined =>
  list.length ? list[i % list.length] : undefined;

export class MembershipModel {
  /** Live groups and their members in order. */
  readonly groups = new Map<string, string[]>();
  readonly livePlans = new Set<string>();
  readonly allGroups: string[] = [];
  readonly allPlans: string[] = [];

  groupOf(planId: string): string | null {
    for (const [id, members] of this.groups) if (members.includes(planId)) return id;
    return null;
  }

  pickGroup(i: number) {
    return nth(this.allGroups, i);
  }

  pickPlan(i: number) {
    return nth(this.allPlans, i);
  }

  /** The planIds a reorder sends: a permutation of the members, or one broken in `shape`. */
  reorderList(groupId: string, shape: ReorderShape, pick: number, shuffle: number[]): string[] {
    const members = [...(this.groups.get(groupId) ?? [])];
    const list = members
      .map((id, i) => ({ id, key: shuffle[i % shuffle.length] ?? 0 }))
      .sort((a, b) => a.key - b.key)
      .map((m) => m.id);
    const outsider = this.allPlans.filter((id) => !members.includes(id));
    if (shape === "missing" && list.length > 0) list.splice(pick % list.length, 1);
    if (shape === "repeated" && list.length > 0) list.push(nth(list, pick) as string);
    if (shape === "extra" && outsider.length > 0) list.push(nth(outsider, pick) as string);
    if (shape === "foreign") list.push("plan_00000000000000000000000000");
    return list;
  }

  created(kind: "group" | "plan", id: string, groupId: string | null = null) {
    if (kind === "group") {
      this.allGroups.push(id);
      this.groups.set(id, []);
    } else {
      this.allPlans.push(id);
      this.livePlans.add(id);
      if (groupId) this.groups.get(groupId)?.push(id);
    }
  }

  /** What creating a plan in `groupId` must answer; the caller records the new ID. */
  expectCreatePlan(groupId: string | null): Expected {
    if (groupId !== null && !this.groups.has(groupId)) {
      return { status: 404, code: "plan_group_not_found", param: "planGroupId" };
    }
    return { status: 201 };
  }

  add(groupId: string, planId: string, sortOrder: number | null): Expected {
    const members = this.groups.get(groupId);
    if (!members) return { status: 404, code: "plan_group_not_found", param: "id" };
    if (!this.livePlans.has(planId))
      return { status: 404, code: "plan_not_found", param: "planId" };
    if (this.groupOf(planId)) return { status: 409, code: "duplicate", param: "planId" };
    const at = Math.min(sortOrder ?? members.length, members.length);
    members.splice(at, 0, planId);
    return { status: 200, sortOrder: at };
  }

  remove(groupId: string, planId: string): Expected {
    const members = this.groups.get(groupId);
    if (!members) return { status: 404, code: "plan_group_not_found", param: "id" };
    const at = members.indexOf(planId);
    if (at < 0) return { status: 404, code: "plan_not_found", param: "planId" };
    members.splice(at, 1);
    return { status: 200 };
  }

  reorder(groupId: string, planIds: string[]): Expected {
    const members = this.groups.get(groupId);
    if (!members) return { status: 404, code: "plan_group_not_found", param: "id" };
    const exact =
      planIds.length === members.length &&
      new Set(planIds).size === planIds.length &&
      planIds.every((id) => members.includes(id));
    if (!exact) return { status: 400, code: "validation_error", param: "planIds" };
    this.groups.set(groupId, [...planIds]);
    return { status: 200 };
  }

  deletePlan(planId: string): Expected {
    if (!this.livePlans.has(planId)) return { status: 404, code: "plan_not_found", param: "id" };
    const groupId = this.groupOf(planId);
    if (groupId) this.remove(groupId, planId);
    this.livePlans.delete(planId);
    return { status: 200 };
  }

  deleteGroup(groupId: string): Expected {
    if (!this.groups.delete(groupId)) {
      return { status: 404, code: "plan_group_not_found", param: "id" };
    }
    return { status: 200 };
  }
}
