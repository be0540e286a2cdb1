import { expect } from "vitest";
import type { PlanBody, PlanGroupBody } from "../../src/versions/2026-07-11";
import type { Client } from "./http";

/** Bodies in the envelope generation (2026-07-11), which the shared suites' clients speak. */
export type PlanGroupData = PlanGroupBody;
export type PlanData = PlanBody;
export type Envelope<T> = { success: true; data: T; hasMore?: boolean; nextCursor?: string };

let codeCounter = 0;
export const uniqueCode = (prefix = "plan") =>
  `${prefix}_${(codeCounter++).toString(36)}_${Math.random().toString(36).slice(2, 8)}`;

export async function createGroup(api: Client, body: Record<string, unknown> = {}) {
  const res = await api.post<Envelope<PlanGroupData>>("/plan-groups", { name: "Group", ...body });
  expect(res.status, res.text).toBe(201);
  return res.body.data;
}

export async function createPlan(api: Client, body: Record<string, unknown> = {}) {
  const code = uniqueCode();
  const res = await api.post<Envelope<PlanData>>("/plans/manage", { name: code, code, ...body });
  expect(res.status, res.text).toBe(201);
  return res.body.data;
}

export async function getGroup(api: Client, id: string) {
  const res = await api.get<Envelope<PlanGroupData>>(`/plan-groups/${id}`);
  expect(res.status, res.text).toBe(200);
  return res.body.data;
}

export async function getPlan(api: Client, id: string) {
  const res = await api.get<Envelope<PlanData>>(`/plans/${id}`);
  expect(res.status, res.text).toBe(200);
  return res.body.data;
}

/** A group holding `n` new plans in creation order; returns the group and plan IDs in order. */
export async function groupWithPlans(api: Client, n: number) {
  const group = await createGroup(api);
  const planIds: string[] = [];
  for (let i = 0; i < n; i++) {
    const plan = await createPlan(api, { planGroupId: group.id });
    planIds.push(plan.id);
  }
  return { group, planIds };
}

/** Member IDs in order, and asserts positions are exactly 0..n-1. */
export async function memberIds(api: Client, groupId: string): Promise<string[]> {
  const group = await getGroup(api, groupId);
  expect(group.plans.map((p) => p.sortOrder)).toEqual(group.plans.map((_, i) => i));
  return group.plans.map((p) => p.id);
}
