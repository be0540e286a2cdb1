import { env } from "cloudflare:test";
import { expect } from "vitest";
import { newId } from "../../src/lib/ids";
import type { PlanGroupRecord } from "../../src/plan-groups/queries";
import type { ApiVersion } from "../../src/versions/ids";
import type { Client } from "../helpers/http";
import { API_ROUTES } from "../helpers/routes";

export const DAY = 24 * 60 * 60 * 1000;

/** An event as the events API answers it (either version: the object is the same). */
export type EventBody = {
  object: "event";
  livemode: boolean;
  id: string;
  type: string;
  createdAt: string;
  apiVersion: string;
  data: Record<string, unknown> | null;
  previousAttributes: Record<string, unknown> | null;
  request: { id: string | null; idempotencyKey: string | null };
};

export type EventPage = { data: EventBody[]; hasMore: boolean; nextCursor?: string };

/** A plan group's internal state, as the outbox and history store it. */
export const groupState = (id: string, over: Partial<PlanGroupRecord> = {}): PlanGroupRecord => ({
  id,
  name: "Stored",
  description: null,
  isPublic: true,
  createdAt: 0,
  updatedAt: 0,
  plans: [],
  ...over,
});

type HistoryEvent = {
  orgId: string;
  mode?: "test" | "live";
  type?: string;
  /** Epoch ms; the ID is made at this time, as the write makes it. */
  at: number;
  objectId?: string;
  data?: string | null;
  previous?: string | null;
  requestId?: string | null;
  idempotencyKey?: string | null;
  id?: string;
};

/** An event as the hand-off leaves it in the history database; returns its ID. */
export async function insertHistoryEvent(e: HistoryEvent): Promise<string> {
  const id = e.id ?? newId("whev", e.at);
  const objectId = e.objectId ?? newId("pgrp", e.at);
  const data = e.data === undefined ? JSON.stringify(groupState(objectId)) : e.data;
  await env.HISTORY_DB.prepare(
    `INSERT INTO events (id, org_id, mode, type, object_id, data, previous, request_id, idempotency_key, created_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(
      id,
      e.orgId,
      e.mode ?? "test",
      e.type ?? "plan_group.created",
      objectId,
      data,
      e.previous ?? null,
      e.requestId ?? null,
      e.idempotencyKey ?? null,
      e.at,
    )
    .run();
  return id;
}

type Attempt = { statusCode: number | null; error?: string };

/**
 * A delivery of a history event with its attempts, as the pipeline records
 * them (`attempts` counts claims, so it may run ahead of the recorded rows).
 */
export async function insertDelivery(
  event: { id: string; orgId: string; mode?: "test" | "live"; type?: string; at: number },
  status: "pending" | "succeeded" | "failed" | "dropped",
  attempts: Attempt[],
  claimed = attempts.length,
): Promise<string> {
  const id = newId("whdl", event.at);
  const endpointId = newId("whep", event.at);
  const statements = [
    env.HISTORY_DB.prepare(
      `INSERT INTO deliveries (id, event_id, endpoint_id, org_id, mode, type, status, attempts, next_attempt_at, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ).bind(
      id,
      event.id,
      endpointId,
      event.orgId,
      event.mode ?? "test",
      event.type ?? "plan_group.created",
      status,
      claimed,
      status === "pending" ? event.at + 60_000 : null,
      event.at,
    ),
    ...attempts.map((a, i) =>
      env.HISTORY_DB.prepare(
        `INSERT INTO attempts (id, delivery_id, endpoint_id, event_id, attempt, status_code, duration_ms, error, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      ).bind(
        newId("what", event.at + i),
        id,
        endpointId,
        event.id,
        i + 1,
        a.statusCode,
        12,
        a.error ?? null,
        event.at + i,
      ),
    ),
  ];
  await env.HISTORY_DB.batch(statements);
  return id;
}

/** An outbox row written straight into the catalog (for times no request can have). */
export async function insertOutboxEvent(e: HistoryEvent & { dispatchedAt?: number | null }) {
  const id = e.id ?? newId("whev", e.at);
  const data = e.data === undefined ? JSON.stringify(groupState(newId("pgrp", e.at))) : e.data;
  await env.DB.prepare(
    `INSERT INTO webhook_events (id, org_id, mode, type, data, previous, request_id, idempotency_key, created_at, dispatched_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  )
    .bind(
      id,
      e.orgId,
      e.mode ?? "test",
      e.type ?? "plan_group.created",
      data,
      e.previous ?? null,
      e.requestId ?? null,
      e.idempotencyKey ?? null,
      e.at,
      e.dispatchedAt ?? null,
    )
    .run();
  return id;
}

/** What a list or get answered, out of whichever version's wrapper it came in. */
export function unwrap<T>(body: unknown): T {
  const b = body as { success?: boolean; object?: string; data?: unknown };
  return (b.success === true || b.object === "list" ? b.data : body) as T;
}

/** One page of `GET /events` (with `query`), as `{ data, hasMore, nextCursor }` in any version. */
export async function listEvents(api: Client, query = ""): Promise<EventPage> {
  const res = await api.get(`/events${query ? `?${query}` : ""}`);
  expect(res.status, res.text).toBe(200);
  const body = res.body as EventPage & { success?: boolean };
  return { data: body.data, hasMore: body.hasMore, nextCursor: body.nextCursor };
}

/** The IDs of every page of `GET /events?query`, walked with `limit`. */
export async function walk(api: Client, query: string, limit: number): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 100; pages++) {
    const params = new URLSearchParams(query);
    params.set("limit", String(limit));
    if (cursor) params.set("cursor", cursor);
    const page = await listEvents(api, params.toString());
    expect(page.data.length).toBeLessThanOrEqual(limit);
    ids.push(...page.data.map((e) => e.id));
    if (!page.hasMore) {
      expect(page.nextCursor).toBeUndefined();
      return ids;
    }
    cursor = page.nextCursor;
  }
  throw new Error("more than 100 pages");
}

/** The documented success schema of `operationId` in `version`: answers are checked against it. */
export function documentedSchema(operationId: string, version: ApiVersion) {
  const schema = API_ROUTES.find((r) => r.operationId === operationId)?.responses[version].get(
    200,
  )?.schema;
  if (!schema) throw new Error(`${operationId} documents no 200 in ${version}`);
  return schema;
}
