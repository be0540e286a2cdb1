import { storeNewKey } from "../../scripts/lib/keys";
import { wranglerKv, wranglerSql } from "../../scripts/lib/wrangler";

export type Api = { url: string; key: string };

export type Seeded = {
  /** The group with `groupSize` plans that get-group and reorder use. */
  groupId: string;
  memberIds: string[];
  /** Ungrouped plans, one per connection, for add+remove. */
  freePlanIds: string[];
};

/** The SDKs name their version on every request; so does the benchmark (no pin read). */
export const VERSION_HEADER = { "Commet-Version": "2026-07-31" };

/** One API call that must succeed; the benchmark is meaningless on error responses. */
export async function call<T>(api: Api, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: {
      "x-api-key": api.key,
      ...VERSION_HEADER,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 500)}`);
  return JSON.parse(text) as T;
}

/** Maps with at most `limit` calls in flight, keeping the input order. */
async function inPool<T, R>(items: T[], limit: number, fn: (item: T, index: number) => Promise<R>) {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      out[index] = await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** An unlimited-tier key, so the rate limiter never shapes the numbers. */
export async function createBenchKey(persistTo: string): Promise<string> {
  const target = { remote: false, persistTo };
  const kv = wranglerKv(target);
  const { apiKey } = await storeNewKey(kv, wranglerSql(target), {
    orgId: "org_bench",
    mode: "test",
    name: "bench",
    tier: "unlimited",
    expiresInDays: null,
  });
  return apiKey;
}

/**
 * Through the public API: `groups` groups, `plans` plans. The first group gets
 * `groupSize` plans through add-plan; every other group gets two plans at
 * creation, so a page of groups carries members; the rest stay ungrouped.
 */
export async function seedService(
  api: Api,
  opts: { groups: number; plans: number; groupSize: number; concurrency: number; free: number },
): Promise<Seeded> {
  const grouped = opts.groupSize + 2 * (opts.groups - 1);
  if (opts.plans - grouped < opts.free) {
    throw new Error(`seed leaves ${opts.plans - grouped} ungrouped plans, need ${opts.free}`);
  }
  const groups = await inPool(
    Array.from({ length: opts.groups }, (_, i) => i),
    opts.concurrency,
    (i) =>
      call<{ id: string }>(api, "POST", "/api/v1/plan-groups", {
        name: `Bench group ${i}`,
        description: i % 2 === 0 ? `Group number ${i}, seeded by the benchmark.` : undefined,
      }),
  );
  const groupIds = groups.map((g) => g.id);
  const plans = await inPool(
    Array.from({ length: opts.plans }, (_, i) => i),
    opts.concurrency,
    (i) => {
      const owner =
        i >= opts.groupSize && i < grouped ? groupIds[1 + ((i - opts.groupSize) >> 1)] : undefined;
      return call<{ id: string }>(api, "POST", "/api/v1/plans/manage", {
        name: `Bench plan ${i}`,
        code: `bench_plan_${i}`,
        description: `Plan ${i}, seeded by the benchmark.`,
        consumptionModel: "metered",
        isFree: i % 10 === 0,
        metadata: { seats: i % 50, tier: i % 3 === 0 ? "pro" : "starter" },
        ...(owner ? { planGroupId: owner } : {}),
      });
    },
  );
  const [groupId] = groupIds;
  if (!groupId) throw new Error("no group was created");
  const memberIds = plans.slice(0, opts.groupSize).map((p) => p.id);
  // In order, so the group's positions are the creation order.
  for (const planId of memberIds) {
    await call(api, "POST", `/api/v1/plan-groups/${groupId}/plans`, { planId });
  }
  const freePlanIds = plans.slice(grouped, grouped + opts.free).map((p) => p.id);
  return { groupId, memberIds, freePlanIds };
}

/** The floor seeds itself, in the service's shape (see seedService), in one batch. */
export async function seedFloor(
  url: string,
  opts: { groups: number; plans: number; groupSize: number },
) {
  const query = new URLSearchParams({
    size: String(opts.groupSize),
    groups: String(opts.groups),
    plans: String(opts.plans),
  });
  const res = await fetch(`${url}/seed?${query}`, { method: "POST" });
  if (!res.ok) throw new Error(`floor seed: ${res.status} ${await res.text()}`);
  return (await res.json()) as { groupId: string; planIds: string[] };
}
