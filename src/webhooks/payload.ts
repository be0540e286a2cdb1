import { isoTime } from "../lib/encoding";
import type { PlanGroupRecord } from "../plan-groups/queries";
import type { PlanRecord } from "../plans/queries";
import { VERSIONS } from "../versions";
import { type ApiVersion, CURRENT_VERSION, isApiVersion } from "../versions/ids";
import { pinnedVersion } from "../versions/pins";
import type { EventRow } from "./delivery-queries";
import { objectOf } from "./events";

/** The body of every delivery (API.md, Webhooks: Payload). */
export type WebhookPayload = {
  id: string;
  event: string;
  timestamp: string;
  organizationId: string;
  mode: "live" | "sandbox";
  apiVersion: ApiVersion;
  data: unknown;
};

/** An event whose `data` cannot be presented: no attempt can ever deliver it. */
export class UnpresentableEvent extends Error {}

/**
 * The payload of `event` in `version`: `data` is the object in that
 * version's shape, bare (never in an envelope). Plan group events carry the
 * group detail, plan events the plan; a test event carries its data as is.
 */
export function buildPayload(event: EventRow, version: ApiVersion): string {
  const livemode = event.mode === "live";
  let record: unknown;
  try {
    record = event.data === null ? null : JSON.parse(event.data);
  } catch {
    record = null;
  }
  if (record === null || typeof record !== "object") {
    throw new UnpresentableEvent(`event ${event.id} has no readable data`);
  }
  const shapes = VERSIONS[version].shapes;
  const ctx = { livemode };
  const object = objectOf(event.type);
  let data: unknown = record;
  if (object === "plan_group") {
    const group = record as PlanGroupRecord;
    const plans = [...(group.plans ?? [])].sort((a, b) => a.sortOrder - b.sortOrder);
    data = shapes.planGroupDetail.present({ ...group, plans }, ctx);
  } else if (object === "plan") {
    data = shapes.plan.present(record as PlanRecord, ctx);
  }
  const payload: WebhookPayload = {
    id: event.id,
    event: event.type,
    timestamp: isoTime(event.createdAt),
    organizationId: event.orgId,
    mode: livemode ? "live" : "sandbox",
    apiVersion: version,
    data,
  };
  return JSON.stringify(payload);
}

/**
 * The version a delivery speaks: the endpoint's pin, else its organization's
 * (KV `orgversion:<orgId>`), else the current version.
 */
export async function payloadVersion(
  kv: KVNamespace,
  orgId: string,
  endpointVersion: string | null,
): Promise<ApiVersion> {
  if (endpointVersion !== null && isApiVersion(endpointVersion)) return endpointVersion;
  return (await pinnedVersion(kv, orgId)) ?? CURRENT_VERSION;
}
