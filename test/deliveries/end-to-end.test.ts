import { afterEach, describe, expect, it, vi } from "vitest";
import { deliveryRow, HOUR, insertDelivery, insertEvent, setup } from "../helpers/history";
import { receiver, useReceivers } from "../helpers/webhooks";

useReceivers();
afterEach(() => vi.restoreAllMocks());

/** Polls until the delivery is no longer pending (the consumer recorded its attempt). */
async function settledDelivery(id: string) {
  for (let i = 0; i < 400; i++) {
    const row = await deliveryRow(id);
    if (row && row.status !== "pending") return row;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`delivery ${id} stayed pending`);
}

describe("retry and recover, through the queue to a receiver", () => {
  it("a retried delivery reaches the endpoint again with the same event id", async () => {
    const r = receiver({ status: 200, body: "ok" });
    const { api, endpoint } = await setup({ url: r.url });
    const event = await insertEvent(endpoint, { createdAt: Date.now() - HOUR });
    const id = await insertDelivery(endpoint, event, { status: "failed", attempts: 2 });
    const res = await api.post(`/webhooks/${endpoint.id}/deliveries/${id}/retry`);
    expect(res.status).toBe(200);
    const [received] = await r.waitFor(1);
    expect(received?.headers.get("x-commet-event-id")).toBe(event.id);
    expect(received?.headers.get("webhook-id")).toBe(event.id);
    expect(JSON.parse(received?.body ?? "{}")).toMatchObject({
      id: event.id,
      event: "plan.created",
    });
    expect(await settledDelivery(id)).toMatchObject({ status: "succeeded", attempts: 3 });
  });

  it("a recovered event reaches the endpoint", async () => {
    const r = receiver({ status: 200, body: "ok" });
    const { api, endpoint } = await setup({ url: r.url });
    const event = await insertEvent(endpoint, {
      type: "plan.updated",
      createdAt: Date.now() - HOUR,
    });
    const res = await api.post<{ queued: number }>(`/webhooks/${endpoint.id}/recover`, {
      since: new Date(Date.now() - 2 * HOUR).toISOString(),
    });
    expect(res.body.queued).toBe(1);
    const [received] = await r.waitFor(1);
    expect(received?.headers.get("x-commet-event-id")).toBe(event.id);
  });
});
