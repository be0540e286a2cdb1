import type { ApiVersion } from "../versions/ids";
import { presentEvent, type StoredEvent, UnpresentableEvent } from "./present";

/**
 * An event as the events API answers it, whatever the version's wrapper:
 * `data` and `previousAttributes` are already presented in `apiVersion`, the
 * request's version (null `data`: the stored object could not be read).
 */
export type EventRecord = {
  id: string;
  type: string;
  createdAt: number;
  apiVersion: ApiVersion;
  data: Record<string, unknown> | null;
  previousAttributes: Record<string, unknown> | null;
  requestId: string | null;
  idempotencyKey: string | null;
};

/**
 * A stored event (outbox or history) in `version`. An event whose object
 * cannot be read is still listed, with `data: null`, rather than failing the
 * whole page: it happened, and its delivery log says why it was not sent.
 */
export function eventRecordOf(event: StoredEvent, version: ApiVersion): EventRecord {
  let presented: ReturnType<typeof presentEvent> | null = null;
  try {
    presented = presentEvent(event, version);
  } catch (err) {
    if (!(err instanceof UnpresentableEvent)) throw err;
  }
  return {
    id: event.id,
    type: event.type,
    createdAt: event.createdAt,
    apiVersion: version,
    data: presented?.data ?? null,
    previousAttributes: presented?.previousAttributes ?? null,
    requestId: event.requestId,
    idempotencyKey: event.idempotencyKey,
  };
}
