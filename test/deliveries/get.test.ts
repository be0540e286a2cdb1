import { describe, expect, it } from "vitest";
import { insertDelivery, insertEvent, setup } from "../helpers/history";
import { client, expectError } from "../helpers/http";
import { createEndpoint } from "../helpers/webhooks";

type Delivery = {
  object: string;
  id: string;
  status: string;
  attemptCount: number;
  nextAttemptAt: string | null;
  attempts: { at: string; responseStatus: number | null; responseExcerpt: string | null }[];
};

describe("GET /webhooks/{id}/deliveries/{deliveryId}", () => {
  it("answers the delivery with every attempt, oldest first", async () => {
    const { api, endpoint } = await setup();
    const event = await insertEvent(endpoint, { type: "plan.deleted" });
    const id = await insertDelivery(endpoint, event, { status: "succeeded", attempts: 8 });
    const res = await api.get<Delivery>(`/webhooks/${endpoint.id}/deliveries/${id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      object: "webhook_delivery",
      livemode: false,
      id,
      endpointId: endpoint.id,
      eventId: event.id,
      type: "plan.deleted",
      status: "succeeded",
      attemptCount: 8,
      nextAttemptAt: null,
      createdAt: new Date(event.createdAt).toISOString(),
    });
    expect(res.body.attempts).toHaveLength(8);
    expect(res.body.attempts.map((a) => a.responseStatus)).toEqual([
      500, 500, 500, 500, 500, 500, 500, 200,
    ]);
    expect(res.body.attempts.map((a) => a.at)).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8].map((n) => new Date(event.createdAt + n).toISOString()),
    );
  });

  it("shows when a pending delivery is attempted next", async () => {
    const { api, endpoint } = await setup();
    const event = await insertEvent(endpoint);
    const next = Date.now() + 30_000;
    const id = await insertDelivery(endpoint, event, { status: "pending", nextAttemptAt: next });
    const res = await api.get<Delivery>(`/webhooks/${endpoint.id}/deliveries/${id}`);
    expect(res.body.nextAttemptAt).toBe(new Date(next).toISOString());
  });

  it("answers in the envelope under 2026-07-11", async () => {
    const { api, endpoint } = await setup({ version: "2026-07-11" });
    const event = await insertEvent(endpoint);
    const id = await insertDelivery(endpoint, event, { status: "dropped" });
    const res = await api.get<{ success: boolean; data: Delivery }>(
      `/webhooks/${endpoint.id}/deliveries/${id}`,
    );
    expect(res.body).toMatchObject({
      success: true,
      data: { object: "webhook_delivery", id, status: "dropped", attempts: [] },
    });
  });

  it("404 webhook_delivery_not_found: unknown, of another endpoint, of another organization or mode", async () => {
    const { api, endpoint } = await setup();
    const event = await insertEvent(endpoint);
    const id = await insertDelivery(endpoint, event);
    const path = (endpointId: string, deliveryId: string) =>
      `/webhooks/${endpointId}/deliveries/${deliveryId}`;

    expectError(
      await api.get(path(endpoint.id, "whdl_nope")),
      404,
      "webhook_delivery_not_found",
      "deliveryId",
    );
    const sibling = await createEndpoint({ orgId: api.orgId, url: "https://hooks.example.com/s" });
    expectError(
      await api.get(path(sibling.id, id)),
      404,
      "webhook_delivery_not_found",
      "deliveryId",
    );

    // Another organization's endpoint and delivery: its endpoint is what is not found first.
    const other = await setup();
    const theirs = await insertDelivery(other.endpoint, await insertEvent(other.endpoint));
    expectError(await api.get(path(other.endpoint.id, theirs)), 404, "webhook_not_found", "id");
    // Their delivery under our endpoint: not ours.
    expectError(
      await api.get(path(endpoint.id, theirs)),
      404,
      "webhook_delivery_not_found",
      "deliveryId",
    );
    const live = await client(api.orgId, "live", "2026-07-31");
    expectError(await live.get(path(endpoint.id, id)), 404, "webhook_not_found", "id");
    expectError(await api.get(path("whep_nope", id)), 404, "webhook_not_found", "id");
  });
});
