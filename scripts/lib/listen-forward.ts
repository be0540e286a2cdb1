/**
 * One event forwarded as the service would deliver it: the same payload,
 * the same signatures (src/webhooks/sign.ts), no redirects followed, 10 s
 * to answer. No Node imports (fetch is passed in), so the tests run it in workerd.
 */

import type { WebhookPayload } from "../../src/webhooks/payload";
import { ATTEMPT_TIMEOUT_MS } from "../../src/webhooks/schedule";
import { deliveryHeaders } from "../../src/webhooks/sign";
import { failureOf, type ListedEvent } from "./listen-events";

/** What the events API leaves to the listener to say. */
export type PayloadContext = {
  /** From --org or the demo key; null when nobody said (the field is then left out). */
  orgId: string | null;
  /** From the key's prefix, for an event that does not say `livemode`. */
  livemode: boolean;
  /** The version the page was shaped in (`Commet-Version`), for an event that does not say it. */
  apiVersion: string;
};

type Payload = Omit<WebhookPayload, "organizationId" | "apiVersion"> & {
  organizationId?: string;
  apiVersion: string;
};

/** The delivery body, its fields in the order src/webhooks/payload.ts writes them. */
export function webhookPayload(event: ListedEvent, ctx: PayloadContext): string {
  const organizationId = event.organizationId ?? ctx.orgId;
  const payload: Payload = {
    id: event.id,
    event: event.type,
    timestamp: event.createdAt,
    ...(organizationId === null ? {} : { organizationId }),
    mode: (event.livemode ?? ctx.livemode) ? "live" : "sandbox",
    apiVersion: event.apiVersion ?? ctx.apiVersion,
    data: event.data,
    previousAttributes: event.previousAttributes,
  };
  return JSON.stringify(payload);
}

export type Forwarded = {
  /** The receiver's status; null when it never answered. */
  status: number | null;
  /** Why it failed, or what a non-2xx answer said, ready to print. */
  note: string | null;
  durationMs: number;
};

const NOTE_CHARS = 100;

/** POSTs one signed body to `url`. Never throws. */
export async function forwardEvent(
  url: string,
  secret: string,
  eventId: string,
  body: string,
  send: typeof fetch = fetch,
): Promise<Forwarded> {
  const headers = await deliveryHeaders(secret, eventId, Math.floor(Date.now() / 1000), body);
  const started = Date.now();
  const elapsed = () => Math.max(0, Date.now() - started);
  try {
    const res = await send(url, {
      method: "POST",
      headers,
      body,
      redirect: "manual",
      signal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
    });
    const text = await res.text().catch(() => "");
    const durationMs = elapsed();
    if (res.status >= 300 && res.status < 400) {
      const to = res.headers.get("location");
      return {
        status: res.status,
        note: `(redirects are not followed${to ? `: ${to}` : ""})`,
        durationMs,
      };
    }
    const said = text.replace(/\s+/g, " ").trim().slice(0, NOTE_CHARS);
    const ok = res.status >= 200 && res.status < 300;
    return {
      status: res.status,
      note: ok || said === "" ? null : JSON.stringify(said),
      durationMs,
    };
  } catch (err) {
    return { status: null, note: failureOf(err), durationMs: elapsed() };
  }
}

const two = (n: number) => String(n).padStart(2, "0");

/** `14:03:27  plan_group.created        whev_...  200  12 ms`, in local time. */
export function eventLine(at: Date, event: Pick<ListedEvent, "id" | "type">, out: Forwarded) {
  const time = `${two(at.getHours())}:${two(at.getMinutes())}:${two(at.getSeconds())}`;
  const result =
    out.status === null
      ? `error: ${out.note}`
      : out.note === null
        ? String(out.status)
        : `${out.status} ${out.note}`;
  return `${time}  ${event.type.padEnd(26)}  ${event.id}  ${result}  ${out.durationMs} ms`;
}
