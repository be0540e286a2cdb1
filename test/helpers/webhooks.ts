import { createExecutionContext, createMessageBatch, env, getQueueResult } from "cloudflare:test";
import type { Mode } from "../../src/env";
import { encrypt, sealedFor } from "../../src/lib/crypto";
import { newId } from "../../src/lib/ids";
import { type DeliverOptions, deliverBatch } from "../../src/webhooks/deliver";
import type { DeliveryMessage } from "../../src/webhooks/queue";
import { newSigningSecret } from "../../src/webhooks/sign";
import { handleHosts } from "./network";

/**
 * Webhook receivers the tests control: the fetch guard of every file
 * (./network.ts, installed by test/setup.ts) hands them every request to a
 * host under `.receiver.test`. The queue consumer runs in the test isolate
 * (pool 0.15.1 delivers the real queue's batches to the worker's `queue()`
 * here), so both direct calls and real queue deliveries reach them, even
 * after the test that made them ended. A `.receiver.test` host that no test
 * registered fails like an unreachable host.
 */

export type Received = {
  url: string;
  method: string;
  headers: Headers;
  body: string;
  redirect: string;
};

/** How a receiver answers: a response, a delay before it, or no answer at all. */
export type Reply =
  | { status?: number; body?: string; headers?: Record<string, string>; delayMs?: number }
  | "hang"
  | "network-error";

export type Receiver = {
  url: string;
  requests: Received[];
  reply(reply: Reply | ((req: Received) => Reply)): void;
  /** Resolves once `n` requests arrived (polls; fails after `timeoutMs`). */
  waitFor(n: number, timeoutMs?: number): Promise<Received[]>;
};

const receivers = new Map<string, Receiver & { answer: (req: Received) => Reply }>();
let inFlight = 0;
/** The most POSTs that were waiting for an answer at once, since the last reset. */
export const concurrency = { max: 0, reset: () => (concurrency.max = 0) };

async function receiverFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const request = new Request(input, init);
  const receiver = receivers.get(new URL(request.url).host);
  if (!receiver) throw new TypeError("Network connection lost.");
  const received: Received = {
    url: request.url,
    method: request.method,
    headers: request.headers,
    body: await request.text(),
    redirect: request.redirect,
  };
  receiver.requests.push(received);
  const reply = receiver.answer(received);
  inFlight += 1;
  concurrency.max = Math.max(concurrency.max, inFlight);
  try {
    if (reply === "network-error") throw new TypeError("Network connection lost.");
    const signal = init?.signal ?? request.signal;
    if (reply === "hang") {
      return await new Promise<Response>((_, reject) => {
        signal?.addEventListener("abort", () => reject(signal.reason));
      });
    }
    if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
    const status = reply.status ?? 200;
    const empty = [101, 204, 205, 304].includes(status) || reply.body === "";
    return new Response(empty ? null : (reply.body ?? "ok"), {
      status,
      headers: reply.headers,
    });
  } finally {
    inFlight -= 1;
  }
}

handleHosts(".receiver.test", receiverFetch);

/**
 * @deprecated Receivers answer in every file that imports this module: the
 * files that still call this at their top need not.
 */
export function useReceivers() {}

let receiverCount = 0;

export function receiver(reply: Reply = { status: 200, body: "ok" }): Receiver {
  receiverCount += 1;
  const host = `r${receiverCount}-${Math.random().toString(36).slice(2, 8)}.receiver.test`;
  const requests: Received[] = [];
  const r = {
    url: `https://${host}/hooks`,
    requests,
    answer: (_req: Received): Reply => reply,
    reply(next: Reply | ((req: Received) => Reply)) {
      r.answer = typeof next === "function" ? next : () => next;
    },
    async waitFor(n: number, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      while (requests.length < n) {
        if (Date.now() > until) {
          throw new Error(`receiver got ${requests.length} of ${n} requests in ${timeoutMs} ms`);
        }
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
      return requests;
    },
  };
  receivers.set(host, r);
  return r;
}

export type TestEndpoint = { id: string; secret: string; orgId: string; mode: Mode };

/** A webhook endpoint row, as the API will create it (secret encrypted with the test key). */
export async function createEndpoint(opts: {
  orgId: string;
  mode?: Mode;
  url: string;
  events?: string[];
  apiVersion?: string | null;
  isActive?: boolean;
  createdAt?: number;
  failingSince?: number | null;
  /** Failed attempts in a row so far (0 by default). */
  failedAttempts?: number;
  /** The latest failure; by default a minute ago when `failingSince` is set (the streak goes on). */
  lastFailedAt?: number | null;
}): Promise<TestEndpoint> {
  const id = newId("whep");
  const secret = newSigningSecret();
  const mode = opts.mode ?? "test";
  const createdAt = opts.createdAt ?? Date.now() - 60_000;
  await env.DB.prepare(
    `INSERT INTO webhook_endpoints (id, org_id, mode, url, events, description, is_active, api_version, secret, failing_since, failed_attempts, last_failed_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(
      id,
      opts.orgId,
      mode,
      opts.url,
      JSON.stringify(opts.events ?? ["*"]),
      opts.isActive === false ? 0 : 1,
      opts.apiVersion ?? null,
      await encrypt(env, sealedFor.endpointSecret(id), secret),
      opts.failingSince ?? null,
      opts.failedAttempts ?? 0,
      opts.lastFailedAt !== undefined
        ? opts.lastFailedAt
        : opts.failingSince != null
          ? Date.now() - 60_000
          : null,
      createdAt,
      createdAt,
    )
    .run();
  return { id, secret, orgId: opts.orgId, mode };
}

/** An outbox row as a write records it, with no queue message (a direct call or the sweep sends it). */
export async function insertEvent(opts: {
  orgId: string;
  mode?: Mode;
  type: string;
  data: unknown;
  createdAt?: number;
}): Promise<string> {
  const id = newId("whev");
  await env.DB.prepare(
    "INSERT INTO webhook_events (id, org_id, mode, type, data, created_at, dispatched_at) VALUES (?, ?, ?, ?, ?, ?, NULL)",
  )
    .bind(
      id,
      opts.orgId,
      opts.mode ?? "test",
      opts.type,
      JSON.stringify(opts.data),
      opts.createdAt ?? Date.now(),
    )
    .run();
  return id;
}

/** A plan as events carry it (PlanRecord). */
/** The error line of an attempt the service failed itself (src/webhooks/attempt.ts), as logged. */
export const ownFailureLine = (ids: { deliveryId: string; endpointId: string }, cause: string) => ({
  level: "error",
  message: "webhook not sent: the service's own failure",
  ...ids,
  cause,
});

export const planData = (overrides: Record<string, unknown> = {}) => ({
  id: newId("plan"),
  code: "starter",
  name: "Starter",
  description: null,
  consumptionModel: null,
  isPublic: true,
  isFree: false,
  blockOnExhaustion: null,
  metadata: null,
  planGroupId: null,
  sortOrder: 0,
  createdAt: 1_780_000_000_000,
  updatedAt: 1_780_000_000_000,
  ...overrides,
});

/** A queue that records what is sent to it and delivers nothing (tests feed it back by hand). */
export class RecordingQueue implements Queue<DeliveryMessage> {
  sent: { body: DeliveryMessage; delaySeconds: number | undefined }[] = [];

  async metrics(): Promise<QueueMetrics> {
    return { backlogCount: 0, backlogBytes: 0 };
  }

  async send(body: DeliveryMessage, options?: QueueSendOptions): Promise<QueueSendResponse> {
    this.sent.push({ body, delaySeconds: options?.delaySeconds });
    return { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } };
  }

  async sendBatch(
    messages: Iterable<MessageSendRequest<DeliveryMessage>>,
    options?: QueueSendBatchOptions,
  ): Promise<QueueSendBatchResponse> {
    for (const m of messages) {
      this.sent.push({ body: m.body, delaySeconds: m.delaySeconds ?? options?.delaySeconds });
    }
    return { metadata: { metrics: { backlogCount: 0, backlogBytes: 0 } } };
  }

  /** Takes what was sent so far. */
  drain() {
    const sent = this.sent;
    this.sent = [];
    return sent;
  }
}

let messageCount = 0;

/**
 * Runs the consumer on one hand-made batch, with `queue` in place of the real
 * producer (so retries and hand-offs are recorded, not delivered later), and
 * returns what it acked and retried.
 */
export async function runBatch(
  messages: DeliveryMessage[],
  opts: {
    queue?: RecordingQueue;
    options?: DeliverOptions;
    bindings?: Partial<Cloudflare.Env>;
  } = {},
) {
  const batch = createMessageBatch<DeliveryMessage>(
    "webhook-deliveries",
    messages.map((body) => {
      messageCount += 1;
      return { id: `msg-${messageCount}`, timestamp: new Date(), attempts: 1, body };
    }),
  );
  const queue = opts.queue ?? new RecordingQueue();
  await deliverBatch(batch, { ...env, WEBHOOK_QUEUE: queue, ...opts.bindings }, opts.options);
  return getQueueResult(batch, createExecutionContext());
}

export const eventMessage = (eventId: string): DeliveryMessage => ({ kind: "event", eventId });
export const deliveryMessage = (deliveryId: string): DeliveryMessage => ({
  kind: "delivery",
  deliveryId,
});

export type DeliveryState = {
  id: string;
  endpoint_id: string;
  status: string;
  attempts: number;
  next_attempt_at: number | null;
  created_at: number;
  completed_at: number | null;
};

export async function deliveriesOf(eventId: string): Promise<DeliveryState[]> {
  const { results } = await env.HISTORY_DB.prepare(
    "SELECT id, endpoint_id, status, attempts, next_attempt_at, created_at, completed_at FROM deliveries WHERE event_id = ? ORDER BY endpoint_id",
  )
    .bind(eventId)
    .all<DeliveryState>();
  return results;
}

export type AttemptState = {
  attempt: number;
  status_code: number | null;
  duration_ms: number;
  error: string | null;
  response_excerpt: string | null;
  event_id: string;
  endpoint_id: string;
};

export async function attemptsOf(deliveryId: string): Promise<AttemptState[]> {
  const { results } = await env.HISTORY_DB.prepare(
    "SELECT attempt, status_code, duration_ms, error, response_excerpt, event_id, endpoint_id FROM attempts WHERE delivery_id = ? ORDER BY attempt",
  )
    .bind(deliveryId)
    .all<AttemptState>();
  return results;
}

export async function endpointState(id: string) {
  return env.DB.prepare(
    "SELECT is_active, failing_since, failed_attempts, last_failed_at, updated_at FROM webhook_endpoints WHERE id = ?",
  )
    .bind(id)
    .first<{
      is_active: number;
      failing_since: number | null;
      failed_attempts: number;
      last_failed_at: number | null;
      updated_at: number;
    }>();
}

export async function eventState(id: string) {
  return env.DB.prepare("SELECT dispatched_at FROM webhook_events WHERE id = ?")
    .bind(id)
    .first<{ dispatched_at: number | null }>();
}

/**
 * `n` deliveries (of events that need not exist) holding in-flight slots of
 * the endpoint for a minute, as POSTs under way would; returns their IDs.
 */
export async function occupySlots(endpoint: TestEndpoint, n: number): Promise<string[]> {
  const ids = Array.from({ length: n }, () => newId("whdl"));
  const now = Date.now();
  const insert = env.HISTORY_DB.prepare(
    "INSERT INTO deliveries (id, event_id, endpoint_id, org_id, mode, type, status, attempts, next_attempt_at, created_at, sending_until) VALUES (?, ?, ?, ?, ?, 'plan.updated', 'pending', 1, ?, ?, ?)",
  );
  await env.HISTORY_DB.batch(
    ids.map((id) =>
      insert.bind(
        id,
        newId("whev"),
        endpoint.id,
        endpoint.orgId,
        endpoint.mode,
        now + 60_000,
        now,
        now + 60_000,
      ),
    ),
  );
  return ids;
}

/** Makes a pending delivery due now, as if its retry delay had passed. */
export async function makeDue(deliveryId: string, changes: { createdAt?: number } = {}) {
  await env.HISTORY_DB.prepare(
    "UPDATE deliveries SET next_attempt_at = ?, created_at = COALESCE(?, created_at) WHERE id = ?",
  )
    .bind(Date.now() - 1000, changes.createdAt ?? null, deliveryId)
    .run();
}
