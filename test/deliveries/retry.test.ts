import { afterEach, describe, expect, it, vi } from "vitest";
import { deliveryRow, insertDelivery, insertEvent, postRecorded, setup } from "../helpers/history";
import { client, expectError } from "../helpers/http";
import { newIdempotencyKey, settled } from "../helpers/idempotency";
import { createEndpoint, RecordingQueue } from "../helpers/webhooks";

type Delivery = {
  id: string;
  status: string;
  attemptCount: number;
  nextAttemptAt: string | null;
  attempts: unknown[];
};

afterEach(() => vi.restoreAllMocks());

const retryPath = (endpointId: string, deliveryId: string) =>
  `/webhooks/${endpointId}/deliveries/${deliveryId}/retry`;

describe("POST /webhooks/{id}/deliveries/{deliveryId}/retry", () => {
  it.each(["succeeded", "failed", "dropped", "pending"] as const)(
    "makes a %s delivery pending and due now, keeps its attempts, and queues it",
    async (status) => {
      const { api, endpoint } = await setup();
      const event = await insertEvent(endpoint);
      const id = await insertDelivery(endpoint, event, { status, attempts: 3 });
      const before = Date.now();
      const { res, sent } = await postRecorded<Delivery>(api, retryPath(endpoint.id, id));
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        object: "webhook_delivery",
        id,
        eventId: event.id,
        status: "pending",
        attemptCount: 3,
      });
      expect(res.body.attempts).toHaveLength(3);
      const row = await deliveryRow(id);
      expect(row).toMatchObject({ status: "pending", attempts: 3, completed_at: null });
      expect(row?.next_attempt_at).toBeGreaterThanOrEqual(before);
      expect(row?.next_attempt_at).toBeLessThanOrEqual(Date.now());
      expect(res.body.nextAttemptAt).toBe(new Date(row?.next_attempt_at ?? 0).toISOString());
      expect(sent).toEqual([{ kind: "delivery", deliveryId: id }]);
    },
  );

  it("takes an empty body or {}, as the SDKs send", async () => {
    const { api, endpoint } = await setup();
    const id = await insertDelivery(endpoint, await insertEvent(endpoint));
    const empty = await api.call("POST", retryPath(endpoint.id, id), {
      rawBody: "",
      headers: { "content-type": "application/json" },
      bindings: { WEBHOOK_QUEUE: new RecordingQueue() },
    });
    expect(empty.status).toBe(200);
    const { res } = await postRecorded(api, retryPath(endpoint.id, id), {});
    expect(res.status).toBe(200);
  });

  it("409 endpoint_inactive on an inactive endpoint, and changes nothing", async () => {
    const { api, endpoint } = await setup({ isActive: false });
    const id = await insertDelivery(endpoint, await insertEvent(endpoint), { status: "failed" });
    const { res, sent } = await postRecorded(api, retryPath(endpoint.id, id));
    expectError(res, 409, "endpoint_inactive", "id");
    expect((await deliveryRow(id))?.status).toBe("failed");
    expect(sent).toEqual([]);
  });

  it("404s: unknown endpoint, unknown delivery, another endpoint's, another organization's", async () => {
    const { api, endpoint } = await setup();
    const id = await insertDelivery(endpoint, await insertEvent(endpoint), { status: "failed" });
    const post = async (path: string) => (await postRecorded(api, path)).res;

    expectError(await post(retryPath("whep_nope", id)), 404, "webhook_not_found", "id");
    expectError(
      await post(retryPath(endpoint.id, "whdl_nope")),
      404,
      "webhook_delivery_not_found",
      "deliveryId",
    );
    const sibling = await createEndpoint({ orgId: api.orgId, url: "https://hooks.example.com/s" });
    expectError(
      await post(retryPath(sibling.id, id)),
      404,
      "webhook_delivery_not_found",
      "deliveryId",
    );
    const stranger = await client(undefined, "test", "2026-07-31");
    expectError(
      (await postRecorded(stranger, retryPath(endpoint.id, id))).res,
      404,
      "webhook_not_found",
      "id",
    );
    const other = await setup();
    const theirs = await insertDelivery(other.endpoint, await insertEvent(other.endpoint));
    expectError(
      await post(retryPath(endpoint.id, theirs)),
      404,
      "webhook_delivery_not_found",
      "deliveryId",
    );
    expect((await deliveryRow(id))?.status).toBe("failed");
    expect((await deliveryRow(theirs))?.status).toBe("failed");
  });

  it("answers in the envelope under 2026-07-11", async () => {
    const { api, endpoint } = await setup({ version: "2026-07-11" });
    const id = await insertDelivery(endpoint, await insertEvent(endpoint), { status: "failed" });
    const { res } = await postRecorded(api, retryPath(endpoint.id, id));
    expect(res.body).toMatchObject({
      success: true,
      data: { object: "webhook_delivery", id, status: "pending" },
    });
  });

  it("replays a keyed retry without retrying again", async () => {
    const { api, endpoint } = await setup();
    const id = await insertDelivery(endpoint, await insertEvent(endpoint), { status: "failed" });
    const key = newIdempotencyKey();
    const queue = new RecordingQueue();
    const send = () =>
      api.call<Delivery>("POST", retryPath(endpoint.id, id), {
        body: {},
        headers: { "Idempotency-Key": key },
        bindings: { WEBHOOK_QUEUE: queue },
      });
    const first = await send();
    expect(first.status).toBe(200);
    const replay = await settled(send);
    expect(replay.headers.get("idempotent-replayed")).toBe("true");
    expect(replay.text).toBe(first.text);
    expect(queue.drain()).toHaveLength(1);
  });

  it("answers even when the queue refuses the message, and logs it (the sweep sends it later)", async () => {
    const { api, endpoint } = await setup();
    const id = await insertDelivery(endpoint, await insertEvent(endpoint), { status: "failed" });
    const queue = new RecordingQueue();
    queue.sendBatch = () => Promise.reject(new Error("queue unavailable"));
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await api.call<Delivery>("POST", retryPath(endpoint.id, id), {
      bindings: { WEBHOOK_QUEUE: queue },
    });
    expect(res.status).toBe(200);
    expect(res.body.status).toBe("pending");
    expect((await deliveryRow(id))?.status).toBe("pending");
    const logged = errors.mock.calls.map((args) => JSON.parse(String(args[0])));
    expect(logged).toContainEqual(
      expect.objectContaining({
        level: "error",
        message: "deliveries not enqueued (the sweep will)",
      }),
    );
  });
});
