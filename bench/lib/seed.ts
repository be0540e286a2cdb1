import { createServer } from "node:http";
import { storeNewKey } from "../../scripts/lib/keys";
import { wranglerKv, wranglerSql } from "../../scripts/lib/wrangler";

export type Api = { url: string; key: string };

export type Seeded = {
  /** The group with `groupSize` plans that get-group and reorder use. */
  groupId: string;
  memberIds: string[];
  /** Ungrouped plans, one per connection, for add+remove. */
  freePlanIds: string[];
  /** Every plan seeded, in creation order. */
  planIds: string[];
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
  return { groupId, memberIds, freePlanIds, planIds: plans.map((p) => p.id) };
}

/** Answers every webhook POST at once with a 204, until closed. */
async function receiver(port: number) {
  const server = createServer((req, res) => {
    req.resume();
    req.once("end", () => res.writeHead(204).end());
  });
  await new Promise<void>((done, fail) => {
    server.once("error", fail);
    server.listen(port, "127.0.0.1", done);
  });
  return { close: () => new Promise((done) => server.close(done)) };
}

type Delivery = { status: string };

/**
 * Webhook history for the deliveries list: an endpoint (a local receiver that
 * answers 204) gets `deliveries` plan updates, delivered by the worker's own
 * queue consumer, then is deactivated, so the measured writes deliver
 * nothing. Every write of the seeding already left an event in the outbox
 * and, handed on by the consumer, in history: the events list reads both.
 */
export async function seedDeliveries(
  api: Api,
  opts: { planIds: string[]; deliveries: number; receiverPort: number },
): Promise<{ endpointId: string }> {
  const target = await receiver(opts.receiverPort);
  try {
    const { id } = await call<{ id: string }>(api, "POST", "/api/v1/webhooks", {
      url: `http://127.0.0.1:${opts.receiverPort}/hook`,
      events: ["*"],
    });
    const updated = opts.planIds.slice(0, opts.deliveries);
    if (updated.length < opts.deliveries) throw new Error("not enough plans to update");
    for (const [i, planId] of updated.entries()) {
      await call(api, "PUT", `/api/v1/plans/${planId}/manage`, {
        description: `Plan updated by the benchmark (${i}).`,
      });
    }
    const deadline = Date.now() + 120_000;
    for (;;) {
      const { data } = await call<{ data: Delivery[] }>(
        api,
        "GET",
        `/api/v1/webhooks/${id}/deliveries?limit=100`,
      );
      const done = data.filter((d) => d.status === "succeeded").length;
      if (done >= opts.deliveries) break;
      if (Date.now() > deadline) {
        throw new Error(`${done} of ${opts.deliveries} webhook deliveries succeeded in 120 s`);
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
    await call(api, "PATCH", `/api/v1/webhooks/${id}`, { isActive: false });
    return { endpointId: id };
  } finally {
    await target.close();
  }
}

export type FloorSeed = { groupId: string; planIds: string[]; endpointId: string };

/** The floor seeds itself, in the service's shape (see seedService and seedDeliveries). */
export async function seedFloor(
  url: string,
  opts: { groups: number; plans: number; groupSize: number; events: number; deliveries: number },
): Promise<FloorSeed> {
  const query = new URLSearchParams({
    size: String(opts.groupSize),
    groups: String(opts.groups),
    plans: String(opts.plans),
    events: String(opts.events),
    deliveries: String(opts.deliveries),
  });
  const res = await fetch(`${url}/seed?${query}`, { method: "POST" });
  if (!res.ok) throw new Error(`floor seed: ${res.status} ${await res.text()}`);
  return (await res.json()) as FloorSeed;
}
