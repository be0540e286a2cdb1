import { presentEvent, type StoredEvent } from "../events/present";
import { isoTime } from "../lib/encoding";
import { type ApiVersion, CURRENT_VERSION, isApiVersion } from "../versions/ids";
import { pinnedVersion } from "../versions/pins";

/** The body of every delivery (API.md, Webhooks: Payload). */
export type WebhookPayload = {
  id: string;
  event: string;
  timestamp: string;
  organizationId: string;
  mode: "live" | "sandbox";
  apiVersion: ApiVersion;
  data: unknown;
  previousAttributes: Record<string, unknown> | null;
};

/**
 * The payload of `event` in `version`: `data` is the object in that
 * version's shape, bare (never in an envelope), with `previousAttributes`
 * (src/events/present.ts). Throws UnpresentableEvent for unreadable data.
 */
export function buildPayload(
  event: Pick<StoredEvent, "id" | "orgId" | "mode" | "type" | "data" | "previous" | "createdAt">,
  version: ApiVersion,
): string {
  const { data, previousAttributes } = presentEvent(event, version);
  const payload: WebhookPayload = {
    id: event.id,
    event: event.type,
    timestamp: isoTime(event.createdAt),
    organizationId: event.orgId,
    mode: event.mode === "live" ? "live" : "sandbox",
    apiVersion: version,
    data,
    previousAttributes,
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
