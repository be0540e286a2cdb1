/**
 * `npm run seed`'s demo catalog, written through the API like any client's
 * writes, so each one records its events and fires its webhooks. No Node
 * imports here, so the tests run it against the worker.
 */

/** One request to the API (version 2026-07-31: bodies are the objects themselves). */
export type Call = (
  method: string,
  path: string,
  body?: unknown,
) => Promise<{ status: number; body: unknown }>;

/** The API refused a write: its status and error message. */
export class SeedError extends Error {}

type PlanSeed = {
  code: string;
  name: string;
  description: string;
  consumptionModel: "metered" | "credits" | "balance";
  isPublic?: boolean;
  isFree?: boolean;
  blockOnExhaustion?: boolean;
  metadata?: Record<string, unknown>;
};

type GroupSeed = { name: string; description: string; plans: PlanSeed[] };

/** Self-serve plans are created in their group; sales-led ones created, then added (the add-plan route). */
export const DEMO_GROUPS: GroupSeed[] = [
  {
    name: "Self-serve",
    description: "Plans customers pick and pay for online, cheapest first.",
    plans: [
      {
        code: "free",
        name: "Free",
        description: "1,000 API calls a month; requests stop at the limit.",
        consumptionModel: "metered",
        isFree: true,
        blockOnExhaustion: true,
        metadata: { seats: 1, includedCalls: 1000 },
      },
      {
        code: "starter",
        name: "Starter",
        description: "For a first product in production.",
        consumptionModel: "metered",
        metadata: { seats: 3, includedCalls: 50_000 },
      },
      {
        code: "pro",
        name: "Pro",
        description: "For growing teams: more seats and calls, priority support.",
        consumptionModel: "metered",
        metadata: { seats: 10, includedCalls: 500_000 },
      },
      {
        code: "team",
        name: "Team",
        description: "Prepaid credits shared across a team.",
        consumptionModel: "credits",
        metadata: { seats: 25 },
      },
    ],
  },
  {
    name: "Sales-led",
    description: "Negotiated contracts, sold and renewed by the sales team.",
    plans: [
      {
        code: "business",
        name: "Business",
        description: "Annual contract drawn down from a prepaid balance.",
        consumptionModel: "balance",
        metadata: { seats: 100, sla: "99.9%" },
      },
      {
        code: "enterprise",
        name: "Enterprise",
        description: "Custom terms; offered by the sales team only.",
        consumptionModel: "balance",
        isPublic: false,
        metadata: { sla: "99.99%" },
      },
    ],
  },
];

/** A retired plan that stays in the catalog, in no group, for the customers still on it. */
export const DEMO_UNGROUPED: PlanSeed[] = [
  {
    code: "legacy_pro_2024",
    name: "Pro (2024)",
    description: "Retired: kept for customers who signed up before 2025.",
    consumptionModel: "metered",
    isPublic: false,
  },
];

export type Seeded = {
  groups: { id: string; name: string; plans: string[] }[];
  ungrouped: string[];
};

/** Whether the demo catalog is there already (its first plan's code is taken). */
export async function alreadySeeded(call: Call): Promise<boolean> {
  const code = DEMO_GROUPS[0]?.plans[0]?.code ?? "";
  return (await call("GET", `/plans/${code}`)).status === 200;
}

export async function seedCatalog(call: Call): Promise<Seeded> {
  const groups: Seeded["groups"] = [];
  for (const [index, group] of DEMO_GROUPS.entries()) {
    const { id } = await write<{ id: string }>(call, "POST", "/plan-groups", {
      name: group.name,
      description: group.description,
    });
    for (const plan of group.plans) {
      if (index === 0) {
        await write(call, "POST", "/plans", { ...plan, planGroupId: id });
      } else {
        const made = await write<{ id: string }>(call, "POST", "/plans", plan);
        await write(call, "POST", `/plan-groups/${id}/plans`, { planId: made.id });
      }
    }
    groups.push({ id, name: group.name, plans: group.plans.map((p) => p.code) });
  }
  for (const plan of DEMO_UNGROUPED) await write(call, "POST", "/plans", plan);
  return { groups, ungrouped: DEMO_UNGROUPED.map((p) => p.code) };
}

/** The answer's body, or a SeedError with the API's own words. */
export async function write<T = unknown>(
  call: Call,
  method: string,
  path: string,
  body: unknown,
): Promise<T> {
  const res = await call(method, path, body);
  if (res.status >= 200 && res.status < 300) return res.body as T;
  const error = (res.body as { error?: { code?: string; message?: string } } | null)?.error;
  const why = error ? `${error.code} ${error.message}` : JSON.stringify(res.body);
  throw new SeedError(`${method} ${path} answered ${res.status}: ${why}`);
}
