/**
 * A queue message: one recorded event to fan out, one delivery to attempt
 * again (`waited`: how many times in a row it found its endpoint's POSTs all
 * taken, which spaces its next tries), or the sweep's progress mark (`at`:
 * when that sweep ran), which the consumer records (see sweep-queries.ts).
 */
export type DeliveryMessage =
  | { kind: "event"; eventId: string }
  | { kind: "delivery"; deliveryId: string; waited?: number }
  | { kind: "mark"; at: number };

const isCount = (value: unknown): value is number =>
  typeof value === "number" && Number.isSafeInteger(value) && value >= 0;

/** A message body as sent by this service, or null (read strictly: anything else is dropped). */
export function parseMessage(body: unknown): DeliveryMessage | null {
  if (typeof body !== "object" || body === null) return null;
  const { kind, eventId, deliveryId, waited, at } = body as Record<string, unknown>;
  if (kind === "event" && typeof eventId === "string") return { kind, eventId };
  if (kind === "delivery" && typeof deliveryId === "string") {
    if (waited === undefined) return { kind, deliveryId };
    return isCount(waited) ? { kind, deliveryId, waited } : null;
  }
  if (kind === "mark" && isCount(at) && at > 0) return { kind, at };
  return null;
}

export const eventMessages = (ids: string[]): MessageSendRequest<DeliveryMessage>[] =>
  ids.map((eventId) => ({ body: { kind: "event", eventId } }));

export const deliveryMessages = (ids: string[]): MessageSendRequest<DeliveryMessage>[] =>
  ids.map((deliveryId) => ({ body: { kind: "delivery", deliveryId } }));

/** Queues takes at most 100 messages per sendBatch. */
const SEND_CHUNK = 100;

export async function sendAll(
  queue: Queue<DeliveryMessage>,
  messages: MessageSendRequest<DeliveryMessage>[],
) {
  for (let i = 0; i < messages.length; i += SEND_CHUNK) {
    await queue.sendBatch(messages.slice(i, i + SEND_CHUNK));
  }
}
