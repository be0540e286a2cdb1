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

  it("retry: the rebuilt answer applies the retry the lost write never made, once", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const { api, endpoint } = await setup();
    const event = await insertEvent(endpoint, { createdAt: Date.now() - HOUR });
    const id = await insertDelivery(endpoint, event, { status: "failed" });
    const key = newIdempotencyKey();
    const send = keyedPost(api, `/webhooks/${endpoint.id}/deliveries/${id}/retry`, key, {});
    const first = await send({ HISTORY_DB: historyDown });
    expect(first.res.status).toBe(500);
    expect(errors).toHaveBeenCalled();
    expect((await deliveryRow(id))?.status).toBe("failed");

    const retry = await send();
    expect(retry.res.status).toBe(200);
    expect(retry.res.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.res.body).toMatchObject({ object: "webhook_delivery", id, status: "pending" });
    expect(retry.sent).toEqual([{ kind: "delivery", deliveryId: id }]);
    // Stored now: a third call replays it and retries nothing more.
    const third = await send();
    expect(third.res.body).toEqual(retry.res.body);
    expect(third.sent).toEqual([]);
  });

  it("retry: a retry that was applied and has ended since is answered as it is, never retried twice", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const { api, endpoint } = await setup();
    const event = await insertEvent(endpoint, { createdAt: Date.now() - HOUR });
    const id = await insertDelivery(endpoint, event, { status: "failed" });
    const key = newIdempotencyKey();
    const send = keyedPost(api, `/webhooks/${endpoint.id}/deliveries/${id}/retry`, key, {});
    const applied = await send();
    expect(applied.res.status).toBe(200);
    // Its attempt ran and failed again after the claim; the stored answer is gone.
    await env.HISTORY_DB.prepare(
      "UPDATE deliveries SET status = 'failed', completed_at = ?, next_attempt_at = NULL WHERE id = ?",
    )
      .bind(Date.now() + 1, id)
      .run();
    await env.DB.prepare(
      "UPDATE idempotency_keys SET status_code = NULL, response_body = NULL, finished_at = 1 WHERE org_id = ? AND key = ?",
    )
      .bind(api.orgId, key)
      .run();
    const again = await send();
    expect(again.res.status).toBe(200);
    expect(again.res.headers.get("idempotent-replayed")).toBe("true");
    expect(again.res.body).toMatchObject({ id, status: "failed" });
    expect(again.sent).toEqual([]);
    expect(errors).not.toHaveBeenCalled();
  });
});
