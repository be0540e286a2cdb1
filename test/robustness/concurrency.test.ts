import fc from "fast-check";
import { describe, it } from "vitest";
import { fcParams } from "../helpers/fc";
import { client } from "../helpers/http";

type Group = { id: string; plans: { id: string; sortOrder: number }[] };

let codes = 0;
const newCode = () => `race_${Date.now().toString(36)}_${++codes}`;

type RacingOp =
  | { op: "add"; plan: number; sortOrder: number | null }
  | { op: "remove"; plan: number }
  | { op: "reorder"; shuffle: number[] };

const racingOp: fc.Arbitrary<RacingOp> = fc.oneof(
  fc.record({
    op: fc.constant("add" as const),
    plan: fc.nat({ max: 9 }),
    sortOrder: fc.option(fc.nat({ max: 6 })),
  }),
  fc.record({ op: fc.constant("remove" as const), plan: fc.nat({ max: 9 }) }),
  fc.record({
    op: fc.constant("reorder" as const),
    shuffle: fc.array(fc.nat(), { minLength: 8, maxLength: 8 }),
  }),
);

describe("invariants under concurrent writes to one group", () => {
  it("lands every successful write exactly once, with dense positions", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: 4 }),
        fc.array(racingOp, { minLength: 2, maxLength: 8 }),
        async (memberCount, ops) => {
          const api = await client();
          const group = await api.post<{ data: { id: string } }>("/plan-groups", { name: "race" });
          const groupId = group.body.data.id;
          const plans: string[] = [];
          for (let i = 0; i < memberCount + 4; i++) {
            const res = await api.post<{ data: { id: string } }>("/plans/manage", {
              name: "p",
              code: newCode(),
              ...(i < memberCount ? { planGroupId: groupId } : {}),
            });
            plans.push(res.body.data.id);
          }
          const initial = plans.slice(0, memberCount);
          const results = await Promise.all(
            ops.map((op) => {
              const planId = plans[("plan" in op ? op.plan : 0) % plans.length] as string;
              if (op.op === "add") {
                const sortOrder = op.sortOrder === null ? {} : { sortOrder: op.sortOrder };
                return api.post(`/plan-groups/${groupId}/plans`, { planId, ...sortOrder });
              }
              if (op.op === "remove") return api.del(`/plan-groups/${groupId}/plans/${planId}`);
              const shuffled = initial
                .map((id, i) => ({ id, key: op.shuffle[i] ?? 0 }))
                .sort((a, b) => a.key - b.key)
                .map((m) => m.id);
              return api.put(`/plan-groups/${groupId}/plans/reorder`, { planIds: shuffled });
            }),
          );
          const final = await api.get<{ data: Group }>(`/plan-groups/${groupId}`);
          const members = final.body.data.plans;
          const problems: string[] = [];
          if (members.some((m, i) => m.sortOrder !== i)) problems.push("positions not 0..n-1");
          // Adds and removes commute in what they leave behind, whatever the interleaving:
          // a plan ends in the group iff it started there or was added, and was not removed after.
          for (const [i, res] of results.entries()) {
            if (res.status >= 500) problems.push(`op ${i}: ${res.status}`);
          }
          const added = new Set<string>();
          const removed = new Set<string>();
          for (const [i, op] of ops.entries()) {
            const planId = plans[("plan" in op ? op.plan : 0) % plans.length] as string;
            const ok = results[i]?.status === 200;
            if (op.op === "add" && ok) {
              if (added.has(planId)) problems.push(`${planId} added twice`);
              added.add(planId);
            }
            if (op.op === "remove" && ok) {
              if (removed.has(planId)) problems.push(`${planId} removed twice`);
              removed.add(planId);
            }
          }
          const ids = new Set(members.map((m) => m.id));
          if (ids.size !== members.length) problems.push("a plan is listed twice");
          for (const id of plans) {
            const before = initial.includes(id);
            // Added then removed, or removed then re-added: either order leaves a trace in both sets.
            const possible =
              added.has(id) && removed.has(id)
                ? [true, false]
                : [(before || added.has(id)) && !removed.has(id)];
            if (!possible.includes(ids.has(id)))
              problems.push(`${id} membership is ${ids.has(id)}`);
          }
          if (problems.length > 0) {
            const statuses = results.map((r) => r.status);
            throw new Error(`${JSON.stringify(statuses)} -> ${final.text}\n${problems.join("\n")}`);
          }
        },
      ),
      fcParams(60),
    );
  }, 120_000);
});
