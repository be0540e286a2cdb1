import type { PlanGroupRecord } from "../plan-groups/queries";
import type { PlanRecord } from "../plans/queries";
import { VERSIONS } from "../versions";
import type { ApiVersion } from "../versions/ids";
import { objectOf } from "../webhooks/events";

/** An event as stored (outbox or history): `data` and `previous` are internal state as JSON. */
export type StoredEvent = {
  id: string;
  orgId: string;
  mode: "live" | "test";
  type: string;
  data: string | null;
  previous: string | null;
  requestId: string | null;
  idempotencyKey: string | null;
  createdAt: number;
};

/** An event whose `data` cannot be presented: no attempt can ever deliver it. */
export class UnpresentableEvent extends Error {}

/**
 * The object of an event of `type` in `version`'s shape, from its stored
 * JSON: the plan group detail for plan group events, the plan for plan
 * events, a test event's data as is. Null when there is nothing readable.
 */
function presentObject(type: string, json: string | null, version: ApiVersion, livemode: boolean) {
  let record: unknown;
  try {
    record = json === null ? null : JSON.parse(json);
  } catch {
    return null;
  }
  if (record === null || typeof record !== "object") return null;
  const shapes = VERSIONS[version].shapes;
  const ctx = { livemode };
  const object = objectOf(type);
  if (object === "plan_group") {
    const group = record as PlanGroupRecord;
    const plans = [...(group.plans ?? [])].sort((a, b) => a.sortOrder - b.sortOrder);
    return shapes.planGroupDetail.present({ ...group, plans }, ctx) as Record<string, unknown>;
  }
  if (object === "plan")
    return shapes.plan.present(record as PlanRecord, ctx) as Record<string, unknown>;
  return record as Record<string, unknown>;
}

/** Events whose `previousAttributes` say what the write changed; every other event carries null. */
const WITH_PREVIOUS = new Set(["plan_group.updated", "plan.updated", "plan_group.plans_reordered"]);

/**
 * The fields of `before` whose value differs in `after`, with their values
 * before. `updatedAt` moves with every write and says nothing of what changed.
 */
export function changedFields(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): Record<string, unknown> {
  const changed: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(before)) {
    // The same value (most fields, and every string or number left alone) needs no JSON to tell.
    if (key === "updatedAt" || value === after[key]) continue;
    if (JSON.stringify(value) !== JSON.stringify(after[key])) changed[key] = value;
  }
  return changed;
}

/**
 * What an event says in `version` (the webhook payload and the events API
 * alike): `data`, the object after the change in that version's shape, and
 * `previousAttributes`, for an update or a reorder the changed fields'
 * values before it (`plans`: the previous order), else null.
 */
export function presentEvent(
  event: Pick<StoredEvent, "id" | "mode" | "type" | "data" | "previous">,
  version: ApiVersion,
): { data: Record<string, unknown>; previousAttributes: Record<string, unknown> | null } {
  const livemode = event.mode === "live";
  const data = presentObject(event.type, event.data, version, livemode);
  if (data === null) throw new UnpresentableEvent(`event ${event.id} has no readable data`);
  if (!WITH_PREVIOUS.has(event.type)) return { data, previousAttributes: null };
  const before = presentObject(event.type, event.previous, version, livemode);
  return { data, previousAttributes: before ? changedFields(before, data) : null };
}
