import { env } from "cloudflare:test";
import type { DeliveryStatus } from "../../src/db/history-schema";
import type { Mode } from "../../src/env";
import { newId } from "../../src/lib/ids";
import { type Body, type Client, client } from "./http";
import { createEndpoint, planData, RecordingQueue, type TestEndpoint } from "./webhooks";

/**
 * History rows written straight into HISTORY_DB, as the delivery pipeline
 * leaves them: these suites test what the API reads and changes, not how
 * the pipeline got there.
 */

export type HistoryEvent = { id: string; type: string; createdAt: number };

export async function insertEvent(
  tenant: { orgId: string; mode?: Mode },
  opts: { type?: string; createdAt?: number } = {},
): Promise<HistoryEvent> {
  const createdAt = opts.createdAt ?? Date.now();
  const type = opts.type ?? "plan.created";
  const id = newId("whev", createdAt);
  const data = planData();
  await env.HISTORY_DB.prepare(
    "INSERT INTO events (id, org_id, mode, type, object_id, data, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
  )
    .bind(id, tenant.orgId, tenant.mode ?? "test", type, data.id, JSON.stringify(data), createdAt)
    .run();
  return { id, type, createdAt };
}

export type DeliverySeed = {
  status?: DeliveryStatus;
  attempts?: number;
  nextAttemptAt?: number | null;
  createdAt?: number;
  completedAt?: number | null;
  recoveredAt?: number | null;
};

/** A delivery of `event` to `endpoint`, with `attempts` attempts recorded (all failed with a 500). */
export async function insertDelivery(
  endpoint: TestEndpoint,
  event: HistoryEvent,
  seed: DeliverySeed = {},
): Promise<string> {
  const status = seed.status ?? "failed";
  const createdAt = seed.createdAt ?? event.createdAt;
  const id = newId("whdl", createdAt);
  const count = seed.attempts ?? (status === "dropped" ? 0 : 1);
  const done = status === "pending" ? null : createdAt + 1000;
  const statements = [
    env.HISTORY_DB.prepare(
      "INSERT INTO deliveries (id, event_id, endpoint_id, org_id, mode, type, status, attempts, next_attempt_at, created_at, completed_at, recovered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    ).bind(
      id,
      event.id,
      endpoint.id,
      endpoint.orgId,
      endpoint.mode,
      event.type,
      status,
      count,
      seed.nextAttemptAt !== undefined
        ? seed.nextAttemptAt
        : status === "pending"
          ? createdAt + 60_000
          : null,
      createdAt,
      seed.completedAt !== undefined ? seed.completedAt : done,
      seed.recoveredAt ?? null,
    ),
  ];
  for (let n = 1; n <= count; n++) {
    statements.push(
      env.HISTORY_DB.prepare(
        "INSERT INTO attempts (id, delivery_id, endpoint_id, event_id, attempt, status_code, duration_ms, error, response_excerpt, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
      ).bind(
        newId("what", createdAt + n),
        id,
        endpoint.id,
        event.id,
        n,
        status === "succeeded" && n === count ? 200 : 500,
        10 + n,
        null,
        `answer ${n}`,
        createdAt + n,
      ),
    );
  }
  await env.HISTORY_DB.batch(statements);
  return id;
}

export type DeliveryRow = {
  id: string;
  event_id: string;
  endpoint_id: string;
  type: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number | null;
  created_at: number;
  completed_at: number | null;
  recovered_at: number | null;
};

export async function deliveryRow(id: string): Promise<DeliveryRow | null> {
  return env.HISTORY_DB.prepare("SELECT * FROM deliveries WHERE id = ?")
    .bind(id)
    .first<DeliveryRow>();
}

/** Every delivery of the endpoint, by event ID. */
export async function deliveriesOf(endpointId: string): Promise<Map<string, DeliveryRow>> {
  const { results } = await env.HISTORY_DB.prepare("SELECT * FROM deliveries WHERE endpoint_id = ?")
    .bind(endpointId)
    .all<DeliveryRow>();
  return new Map(results.map((r) => [r.event_id, r]));
}

/** A client of a fresh organization (2026-07-31 unless told) and an active endpoint of it subscribed to everything. */
export async function setup(
  opts: {
    version?: "2026-07-11" | "2026-07-31";
    mode?: Mode;
    events?: string[];
    isActive?: boolean;
    createdAt?: number;
    url?: string;
  } = {},
): Promise<{ api: Client; endpoint: TestEndpoint }> {
  const api = await client(undefined, opts.mode ?? "test", opts.version ?? "2026-07-31");
  const endpoint = await createEndpoint({
    orgId: api.orgId,
    mode: api.mode,
    url: opts.url ?? "https://hooks.invalid/commet",
    events: opts.events ?? ["*"],
    isActive: opts.isActive ?? true,
    createdAt: opts.createdAt ?? Date.now() - 10 * 24 * 3600_000,
  });
  return { api, endpoint };
}

/** A POST whose queue messages are recorded instead of delivered. */
export async function postRecorded<T = Body>(api: Client, path: string, body?: unknown) {
  const queue = new RecordingQueue();
  const res = await api.call<T>("POST", path, {
    ...(body === undefined ? {} : { body }),
    bindings: { WEBHOOK_QUEUE: queue },
  });
  return { res, sent: queue.drain().map((m) => m.body) };
}

export const HOUR = 3600_000;
export const DAY = 24 * HOUR;
