import fc from "fast-check";
import { describe, it } from "vitest";
import { contractProblems } from "../helpers/contract";
import { fcParams } from "../helpers/fc";
import type { ApiResponse, Client } from "../helpers/http";
import { client } from "../helpers/http";
import { type Expected, MembershipModel, type Op, opArb } from "../helpers/membership-model";
import { API_ROUTES } from "../helpers/routes";

type Member = { id: string; sortOrder: number };
type Group = { id: string; plans: Member[] };
type Plan = { id: string; planGroupId: string | null; sortOrder: number };

let codes = 0;
const newCode = () => `inv_${Date.now().toString(36)}_${++codes}`;

function route(operationId: string) {
  const found = API_ROUTES.find((r) => r.operationId === operationId);
  if (!found) throw new Error(`no route ${operationId}`);
  return found;
}

type Step = { operationId: string; res: ApiResponse; expected: Expected; bodyKeys: string[] };

/** Sends `op`, updating the model with what the API must have done; null if the op names nothing yet. */
async function perform(api: Client, model: MembershipModel, op: Op): Promise<Step | null> {
  const step = (
    operationId: string,
    res: ApiResponse,
    expected: Expected,
    bodyKeys: string[] = [],
  ) => ({
    operationId,
    res,
    expected,
    bodyKeys,
  });
  if (op.op === "createGroup") {
    const res = await api.post<{ data: { id: string } }>("/plan-groups", { name: "g" });
    if (res.status === 201) model.created("group", res.body.data.id);
    return step("create-plan-group", res as ApiResponse, { status: 201 }, ["name"]);
  }
  if (op.op === "createPlan") {
    const groupId = op.group === null ? null : (model.pickGroup(op.group) ?? null);
    const body = { name: "p", code: newCode(), ...(groupId ? { planGroupId: groupId } : {}) };
    const expected = model.expectCreatePlan(groupId);
    const res = await api.post<{ data: { id: string } }>("/plans/manage", body);
    if (res.status === 201) model.created("plan", res.body.data.id, groupId);
    return step("create-plan", res as ApiResponse, expected, Object.keys(body));
  }
  if (op.op === "deletePlan") {
    const planId = model.pickPlan(op.plan);
    if (!planId) return null;
    return step("delete-plan", await api.del(`/plans/${planId}/manage`), model.deletePlan(planId));
  }
  const groupId = model.pickGroup(op.group);
  if (!groupId) return null;
  if (op.op === "deleteGroup") {
    return step(
      "delete-plan-group",
      await api.del(`/plan-groups/${groupId}`),
      model.deleteGroup(groupId),
    );
  }
  if (op.op === "reorder") {
    const planIds = model.reorderList(groupId, op.shape, op.pick, op.shuffle);
    const expected = model.reorder(groupId, planIds);
    const res = await api.put(`/plan-groups/${groupId}/plans/reorder`, { planIds });
    return step("reorder-plans-in-group", res, expected, ["planIds"]);
  }
  const planId = model.pickPlan(op.plan);
  if (!planId) return null;
  if (op.op === "remove") {
    const res = await api.del(`/plan-groups/${groupId}/plans/${planId}`);
    return step("remove-plan-from-group", res, model.remove(groupId, planId));
  }
  const body = { planId, ...(op.sortOrder === null ? {} : { sortOrder: op.sortOrder }) };
  const expected = model.add(groupId, planId, op.sortOrder);
  return step(
    "add-plan-to-group",
    await api.post(`/plan-groups/${groupId}/plans`, body),
    expected,
    Object.keys(body),
  );
}

function stepProblems({ operationId, res, expected, bodyKeys }: Step): string[] {
  const problems = contractProblems(route(operationId), res, { bodyKeys, mayMissRoute: false });
  if (res.status !== expected.status) problems.push(`expected ${expected.status}`);
  const error = res.body.error;
  if ("code" in expected && (error?.code !== expected.code || error?.param !== expected.param)) {
    problems.push(`expected ${expected.code} param=${expected.param}`);
  }
  const data = res.body.data as { sortOrder?: number } | undefined;
  if ("sortOrder" in expected && data?.sortOrder !== expected.sortOrder) {
    problems.push(`expected sortOrder ${expected.sortOrder}`);
  }
  return problems;
}

/** Everything the API holds for this tenant, checked against the model. */
async function stateProblems(api: Client, model: MembershipModel): Promise<string[]> {
  const groups = await api.get<{ data: Group[]; hasMore: boolean }>("/plan-groups?limit=100");
  const plans = await api.get<{ data: Plan[]; hasMore: boolean }>(
    "/plans?includePrivate=true&limit=100",
  );
  if (groups.status !== 200 || plans.status !== 200) return ["listing failed"];
  if (groups.body.hasMore || plans.body.hasMore) return ["more than one page; grow the limit"];
  const problems: string[] = [];
  const seen = new Map<string, string>();
  const expectGroups = [...model.groups.keys()].sort();
  const gotGroups = groups.body.data.map((g) => g.id).sort();
  if (JSON.stringify(gotGroups) !== JSON.stringify(expectGroups))
    problems.push("live groups differ");
  for (const group of groups.body.data) {
    const positions = group.plans.map((p) => p.sortOrder);
    if (positions.some((p, i) => p !== i))
      problems.push(`${group.id} positions ${positions} not 0..n-1`);
    const ids = group.plans.map((p) => p.id);
    if (JSON.stringify(ids) !== JSON.stringify(model.groups.get(group.id))) {
      problems.push(`${group.id} holds ${ids}, model ${model.groups.get(group.id)}`);
    }
    for (const id of ids) {
      if (seen.has(id)) problems.push(`${id} is in ${seen.get(id)} and ${group.id}`);
      if (!model.livePlans.has(id)) problems.push(`deleted plan ${id} is in ${group.id}`);
      seen.set(id, group.id);
    }
  }
  const gotPlans = plans.body.data.map((p) => p.id).sort();
  if (JSON.stringify(gotPlans) !== JSON.stringify([...model.livePlans].sort()))
    problems.push("live plans differ");
  for (const plan of plans.body.data) {
    const groupId = model.groupOf(plan.id);
    const position = groupId ? (model.groups.get(groupId) ?? []).indexOf(plan.id) : 0;
    if (plan.planGroupId !== groupId || plan.sortOrder !== position) {
      problems.push(
        `${plan.id} says ${plan.planGroupId}@${plan.sortOrder}, model ${groupId}@${position}`,
      );
    }
  }
  return problems;
}

describe("invariants after random operation sequences", () => {
  it("keeps positions dense, membership exclusive and the model in agreement", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 25 }), async (ops) => {
        const api = await client();
        const model = new MembershipModel();
        const seed: Op[] = [{ op: "createGroup" }, { op: "createGroup" }];
        for (let i = 0; i < 4; i++) seed.push({ op: "createPlan", group: null });
        for (const op of seed) await perform(api, model, op);
        for (const [n, op] of ops.entries()) {
          const step = await perform(api, model, op);
          if (!step) continue;
          const problems = [...stepProblems(step), ...(await stateProblems(api, model))];
          if (problems.length > 0) {
            throw new Error(
              `step ${n} ${JSON.stringify(op)} -> ${step.res.status} ${step.res.text.slice(0, 300)}\n${problems.join("\n")}`,
            );
          }
        }
      }),
      fcParams(60),
    );
  }, 120_000);
});
