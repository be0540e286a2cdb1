import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import {
  DAY,
  deliveriesOf,
  deliveryRow,
  HOUR,
  insertDelivery,
  insertEvent,
  setup,
} from "../helpers/history";
import type { Client } from "../helpers/http";
import { newIdempotencyKey, storedKey } from "../helpers/idempotency";
import { RecordingQueue } from "../helpers/webhooks";

afterEach(() => vi.restoreAllMocks());

/** HISTORY_DB whose write batches fail before they commit: the worker died after the claim. */
const historyDown = new Proxy(env.HISTORY_DB, {
  get(target, prop) {
    if (prop === "batch")
      return () => Promise.reject(new Error("D1_ERROR: Network connection lost."));
    const value = Reflect.get(target, prop, target);
    return typeof value === "function" ? value.bind(target) : value;
  },
});

function keyedPost(api: Client, path: string, key: string, body: unknown) {
  const queue = new RecordingQueue();
  return async (bindings: Partial<Cloudflare.Env> = {}) => {
    const res = await api.call<Record<string, unknown>>("POST", path, {
      body,
      headers: { "Idempotency-Key": key },
      bindings: { WEBHOOK_QUEUE: queue, ...bindings },
    });
    return { res, sent: queue.drain().map((m) => m.body) };
  };
}

describe("a keyed retry after the history write was lost", () => {
  it("recover: the rebuilt answer recovers the range (recovering is idempotent)", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const { api, endpoint } = await setup();
    const missed = await insertEvent(endpoint, { createdAt: Date.now() - HOUR });
    const key = newIdempotencyKey();
    const send = keyedPost(api, `/webhooks/${endpoint.id}/recover`, key, {
      since: new Date(Date.now() - DAY).toISOString(),
    });
    const first = await send({ HISTORY_DB: historyDown });
    expect(first.res.status).toBe(500);
    expect(errors).toHaveBeenCalled();
    expect(await storedKey(api.orgId, key)).toMatchObject({ status_code: null });
    expect((await deliveriesOf(endpoint.id)).size).toBe(0);

    const retry = await send();
    expect(retry.res.status).toBe(200);
    expect(retry.res.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.res.body).toEqual({
      object: "webhook_recovery",
      livemode: false,
      queued: 1,
      hasMore: false,
    });
    const delivery = (await deliveriesOf(endpoint.id)).get(missed.id);
    expect(delivery?.status).toBe("pending");
    expect(retry.sent).toEqual([{ kind: "delivery", deliveryId: delivery?.id }]);
  });

  it("retry: the rebuilt answer is the delivery as it is, never a second retry", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const { api, endpoint } = await setup();
    const id = await insertDelivery(endpoint, await insertEvent(endpoint), { status: "failed" });
    const key = newIdempotencyKey();
    const send = keyedPost(api, `/webhooks/${endpoint.id}/deliveries/${id}/retry`, key, {});
    const first = await send({ HISTORY_DB: historyDown });
    expect(first.res.status).toBe(500);
    expect(errors).toHaveBeenCalled();

    const retry = await send();
    expect(retry.res.status).toBe(200);
    expect(retry.res.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.res.body).toMatchObject({ object: "webhook_delivery", id, status: "failed" });
    expect(retry.sent).toEqual([]);
    expect((await deliveryRow(id))?.status).toBe("failed");
  });
});
