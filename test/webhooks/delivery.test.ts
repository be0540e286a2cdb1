import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { VERSIONS } from "../../src/versions";
import { pinKvKey } from "../../src/versions/ids";
import { clearPinCache } from "../../src/versions/pins";
import { uniqueOrg } from "../helpers/keys";
import { commetVerifies, standardVerifies } from "../helpers/verify";
import {
  attemptsOf,
  createEndpoint,
  deliveriesOf,
  eventMessage,
  eventState,
  insertEvent,
  planData,
  RecordingQueue,
  receiver,
  runBatch,
  useReceivers,
} from "../helpers/webhooks";

useReceivers();
afterEach(() => vi.restoreAllMocks());

describe("fan-out and delivery", () => {
  it("POSTs an event once to every active endpoint of its tenant subscribed to it, signed", async () => {
    const orgId = uniqueOrg();
    const [exact, star, other, inactive] = [receiver(), receiver(), receiver(), receiver()];
    const a = await createEndpoint({ orgId, url: exact.url, events: ["plan.created"] });
    const b = await createEndpoint({ orgId, url: star.url, events: ["*"] });
    await createEndpoint({ orgId, url: other.url, events: ["plan.deleted", "plan_group.created"] });
    await createEndpoint({ orgId, url: inactive.url, isActive: false });
    const plan = planData();
    const createdAt = Date.now() - 5_000;
    const eventId = await insertEvent({ orgId, type: "plan.created", data: plan, createdAt });
    const before = Math.floor(Date.now() / 1000);

    const result = await runBatch([eventMessage(eventId)]);

    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toEqual([]);
    expect(other.requests).toEqual([]);
    expect(inactive.requests).toEqual([]);
    for (const [r, endpoint] of [
      [exact, a],
      [star, b],
    ] as const) {
      expect(r.requests).toHaveLength(1);
      const [req] = r.requests;
      if (!req) throw new Error("no request");
      expect(req.method).toBe("POST");
      expect(req.redirect).toBe("manual");
      expect(req.headers.get("content-type")).toBe("application/json");
      expect(req.headers.get("x-commet-event-id")).toBe(eventId);
      expect(req.headers.get("webhook-id")).toBe(eventId);
      const timestamp = Number(req.headers.get("webhook-timestamp"));
      expect(timestamp).toBeGreaterThanOrEqual(before);
      expect(timestamp).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
      expect(commetVerifies(req.body, req.headers.get("x-commet-signature"), endpoint.secret)).toBe(
        true,
      );
      expect(standardVerifies(req.body, req.headers, endpoint.secret)).toBe(true);
      expect(JSON.parse(req.body)).toEqual({
        id: eventId,
        event: "plan.created",
        timestamp: new Date(createdAt).toISOString(),
        organizationId: orgId,
        mode: "sandbox",
        apiVersion: "2026-07-31",
        data: VERSIONS["2026-07-31"].shapes.plan.present(plan, { livemode: false }),
        previousAttributes: null,
      });
    }

    const deliveries = await deliveriesOf(eventId);
    expect(deliveries.map((d) => d.endpoint_id).sort()).toEqual([a.id, b.id].sort());
    for (const d of deliveries) {
      expect(d).toMatchObject({ status: "succeeded", attempts: 1, next_attempt_at: null });
      expect(d.completed_at).not.toBeNull();
      expect(await attemptsOf(d.id)).toEqual([
        {
          attempt: 1,
          status_code: 200,
          duration_ms: expect.any(Number),
          error: null,
          response_excerpt: "ok",
          event_id: eventId,
          endpoint_id: d.endpoint_id,
        },
      ]);
    }
    expect((await eventState(eventId))?.dispatched_at).not.toBeNull();
  });

  it("creates and sends nothing twice when the event's message comes again", async () => {
    const orgId = uniqueOrg();
    const r = receiver();
    await createEndpoint({ orgId, url: r.url });
    const eventId = await insertEvent({ orgId, type: "plan.updated", data: planData() });
    await runBatch([eventMessage(eventId)]);
    await runBatch([eventMessage(eventId), eventMessage(eventId)]);
    expect(r.requests).toHaveLength(1);
    const [delivery] = await deliveriesOf(eventId);
    expect(delivery).toMatchObject({ status: "succeeded", attempts: 1 });
  });

  it("keeps each organization and mode apart", async () => {
    const orgId = uniqueOrg();
    const [mine, live, foreign] = [receiver(), receiver(), receiver()];
    await createEndpoint({ orgId, url: mine.url });
    await createEndpoint({ orgId, mode: "live", url: live.url });
    await createEndpoint({ orgId: uniqueOrg(), url: foreign.url });
    const testEvent = await insertEvent({ orgId, type: "plan.created", data: planData() });
    await runBatch([eventMessage(testEvent)]);
    expect(mine.requests).toHaveLength(1);
    expect(live.requests).toHaveLength(0);
    expect(foreign.requests).toHaveLength(0);

    const liveEvent = await insertEvent({
      orgId,
      mode: "live",
      type: "plan.created",
      data: planData(),
    });
    await runBatch([eventMessage(liveEvent)]);
    expect(live.requests).toHaveLength(1);
    expect(JSON.parse(live.requests[0]?.body ?? "{}")).toMatchObject({
      mode: "live",
      data: { livemode: true },
    });
    expect(mine.requests).toHaveLength(1);
    expect(foreign.requests).toHaveLength(0);
  });

  it("sends an endpoint only the events recorded after it was created", async () => {
    const orgId = uniqueOrg();
    const r = receiver();
    const eventId = await insertEvent({
      orgId,
      type: "plan.created",
      data: planData(),
      createdAt: Date.now() - 120_000,
    });
    await createEndpoint({ orgId, url: r.url, createdAt: Date.now() - 60_000 });
    await runBatch([eventMessage(eventId)]);
    expect(r.requests).toEqual([]);
    expect(await deliveriesOf(eventId)).toEqual([]);
    expect((await eventState(eventId))?.dispatched_at).not.toBeNull();
  });

  it("never fans out a webhook.test event, even to `*`", async () => {
    const orgId = uniqueOrg();
    const r = receiver();
    await createEndpoint({ orgId, url: r.url, events: ["*"] });
    const eventId = await insertEvent({ orgId, type: "webhook.test", data: { object: "x" } });
    await runBatch([eventMessage(eventId)]);
    expect(r.requests).toEqual([]);
    expect(await deliveriesOf(eventId)).toEqual([]);
  });

  it("acks a message for an event that no longer exists, and drops a message it cannot read", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const result = await runBatch([
      eventMessage("whev_gone"),
      { kind: "nonsense" } as unknown as ReturnType<typeof eventMessage>,
    ]);
    expect(result.explicitAcks).toHaveLength(2);
    expect(result.retryMessages).toEqual([]);
    expect(errors.mock.calls.map((c) => JSON.parse(String(c[0])).message)).toEqual([
      "webhook queue message not understood, dropped",
    ]);
  });

  it("stores at most 256 characters of what the receiver answered", async () => {
    const orgId = uniqueOrg();
    const r = receiver({ status: 200, body: "x".repeat(100_000) });
    await createEndpoint({ orgId, url: r.url });
    const eventId = await insertEvent({ orgId, type: "plan.created", data: planData() });
    await runBatch([eventMessage(eventId)]);
    const [delivery] = await deliveriesOf(eventId);
    const [attempt] = await attemptsOf(delivery?.id ?? "");
    expect(attempt?.response_excerpt).toBe("x".repeat(256));
  });
});

describe("payload versions", () => {
  it("speaks the endpoint's pin, else the organization's, else the current version, never in an envelope", async () => {
    const orgId = uniqueOrg();
    const [old, current, unpinned] = [receiver(), receiver(), receiver()];
    await createEndpoint({ orgId, url: old.url, apiVersion: "2026-07-11" });
    await createEndpoint({ orgId, url: current.url, apiVersion: "2026-07-31" });
    await createEndpoint({ orgId, url: unpinned.url });
    const group = {
      id: "pgrp_01kexample0000000000000000",
      name: "Self-serve",
      description: null,
      isPublic: true,
      createdAt: 1_780_000_000_000,
      updatedAt: 1_780_000_000_500,
      plans: [
        { id: "plan_b", name: "Pro", sortOrder: 1 },
        { id: "plan_a", name: "Starter", sortOrder: 0 },
      ],
    };
    const first = await insertEvent({ orgId, type: "plan_group.plan_added", data: group });
    await runBatch([eventMessage(first)]);

    const bodyOf = (r: ReturnType<typeof receiver>, i = 0) =>
      JSON.parse(r.requests[i]?.body ?? "{}") as { apiVersion: string; data: unknown };
    const detail = (version: "2026-07-11" | "2026-07-31") =>
      VERSIONS[version].shapes.planGroupDetail.present(
        { ...group, plans: [...group.plans].reverse() },
        { livemode: false },
      );
    expect(bodyOf(old)).toMatchObject({ apiVersion: "2026-07-11", data: detail("2026-07-11") });
    expect(bodyOf(current)).toMatchObject({ apiVersion: "2026-07-31", data: detail("2026-07-31") });
    expect(bodyOf(unpinned)).toMatchObject({
      apiVersion: "2026-07-31",
      data: detail("2026-07-31"),
    });
    for (const r of [old, current, unpinned]) {
      const { apiVersion, data } = bodyOf(r);
      const schema = VERSIONS[apiVersion as "2026-07-11"].shapes.planGroupDetail.schema;
      expect(schema.safeParse(data).success).toBe(true);
      expect(data).not.toHaveProperty("success");
      expect(data).toMatchObject({
        object: "plan_group",
        plans: [{ id: "plan_a" }, { id: "plan_b" }],
      });
    }

    // Pinning the organization moves the unpinned endpoint, and only it.
    await env.API_KEYS.put(pinKvKey(orgId), "2026-07-11");
    clearPinCache();
    const second = await insertEvent({ orgId, type: "plan.deleted", data: planData() });
    await runBatch([eventMessage(second)]);
    expect(bodyOf(unpinned, 1).apiVersion).toBe("2026-07-11");
    expect(bodyOf(unpinned, 1).data).not.toHaveProperty("prices");
    expect(bodyOf(current, 1).apiVersion).toBe("2026-07-31");
    expect(bodyOf(current, 1).data).toMatchObject({ prices: [], features: [] });
  });

  it("records an attempt that says so when an event cannot be presented, and keeps the endpoint healthy", async () => {
    const orgId = uniqueOrg();
    const r = receiver();
    const endpoint = await createEndpoint({ orgId, url: r.url });
    const eventId = await insertEvent({ orgId, type: "plan.created", data: null });
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    vi.spyOn(console, "log").mockImplementation(() => {});
    const queue = new RecordingQueue();
    await runBatch([eventMessage(eventId)], { queue });
    expect(r.requests).toEqual([]);
    const [delivery] = await deliveriesOf(eventId);
    expect(delivery).toMatchObject({ status: "pending", attempts: 1 });
    expect(await attemptsOf(delivery?.id ?? "")).toMatchObject([
      {
        status_code: null,
        error: "not sent: the service could not build or sign this event's payload",
      },
    ]);
    expect(errors.mock.calls.map((c) => JSON.parse(String(c[0])).message)).toContain(
      "webhook not sent: the service's own failure",
    );
    const state = await env.DB.prepare("SELECT failing_since FROM webhook_endpoints WHERE id = ?")
      .bind(endpoint.id)
      .first<{ failing_since: number | null }>();
    expect(state?.failing_since).toBeNull();
  });
});
