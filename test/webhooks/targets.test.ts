import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { answerDns } from "../helpers/dns";
import { type Client, client, type ErrorInfo } from "../helpers/http";
import { createKey, uniqueOrg } from "../helpers/keys";
import {
  attemptsOf,
  createEndpoint,
  deliveriesOf,
  endpointState,
  eventMessage,
  insertEvent,
  ownFailureLine,
  planData,
  receiver,
  runBatch,
  useReceivers,
} from "../helpers/webhooks";

/**
 * Where webhooks may go (API.md, Webhooks, "URL"): refused at create and
 * update, and vetted again before every POST, when a name may resolve
 * elsewhere than it did at create.
 */

useReceivers();
afterEach(() => vi.restoreAllMocks());

const freshName = (label: string) => `${label}-${crypto.randomUUID().slice(0, 8)}.example.com`;
const hostOf = (url: string) => new URL(url).hostname;

type Endpoint = { id: string; url: string };

async function expectUrlRefused(res: { status: number; body: unknown }, message: string) {
  expect(res.status).toBe(400);
  expect((res.body as { error: ErrorInfo }).error).toMatchObject({
    type: "validation_error",
    code: "validation_error",
    param: "url",
    message: `url: ${message}`,
    details: [{ field: "url", message }],
  });
}

describe("registering a webhook target", () => {
  it("refuses in live mode: another port, http, an IP address, local and metadata names, a private answer", async () => {
    const api = await client(uniqueOrg(), "live", "2026-07-31");
    const privateName = freshName("private");
    answerDns(privateName, ["93.184.215.14", "10.0.0.5"]);
    for (const [url, message] of [
      ["https://hooks.example.com:8443/h", "must use the default https port in live mode"],
      ["https://example.com:6379/", "must use the default https port in live mode"],
      ["http://hooks.example.com/h", "must use https"],
      ["https://93.184.215.14/h", "must use a host name, not an IP address, in live mode"],
      ["https://[::1]/h", "must use a host name, not an IP address, in live mode"],
      ["https://localhost/h", "localhost is a loopback name"],
      ["https://metadata.google.internal/x", "metadata.google.internal is a cloud metadata name"],
      ["https://svc.internal/h", "svc.internal is a local network name (.internal)"],
      [`https://${privateName}/h`, "resolves to 10.0.0.5, a private address"],
    ] as const) {
      await expectUrlRefused(await api.post("/webhooks", { url, events: ["*"] }), message);
    }
  });

  it("refuses in test mode every loopback, private and metadata target, as written or as resolved", async () => {
    const api = await client(uniqueOrg(), "test", "2026-07-31");
    const imds = freshName("imds");
    answerDns(imds, ["169.254.169.254"]);
    for (const [url, message] of [
      ["http://127.0.0.1:8850/internal-admin", "127.0.0.1 is a loopback address"],
      ["http://0x7f.1/", "127.0.0.1 is a loopback address"],
      ["http://[::1]:8850/", "[::1] is a loopback address"],
      ["http://localhost:3000/x", "localhost is a loopback name"],
      ["http://10.0.0.5/h", "10.0.0.5 is a private address"],
      ["http://[fd00::1]/h", "[fd00::1] is a unique-local address"],
      [`http://${imds}:8080/h`, "resolves to 169.254.169.254, the cloud metadata address"],
    ] as const) {
      await expectUrlRefused(await api.post("/webhooks", { url, events: ["*"] }), message);
    }
  });

  it("accepts a name whose lookup fails or finds nothing (it may not exist yet)", async () => {
    const down = freshName("down");
    answerDns(down, "fail");
    for (const mode of ["test", "live"] as const) {
      const api = await client(uniqueOrg(), mode, "2026-07-31");
      for (const url of [`https://${down}/h`, `https://${freshName("new")}/h`]) {
        expect((await api.post("/webhooks", { url, events: ["*"] })).status).toBe(201);
      }
    }
    const test = await client(uniqueOrg(), "test", "2026-07-31");
    expect(
      (await test.post("/webhooks", { url: "http://8.8.8.8:8080/h", events: ["*"] })).status,
    ).toBe(201);
  });

  it("refuses the same at update, and leaves the endpoint as it was", async () => {
    const api = await client(uniqueOrg(), "test", "2026-07-31");
    const made = await api.post<Endpoint>("/webhooks", {
      url: `https://${freshName("ok")}/h`,
      events: ["*"],
    });
    const rebound = freshName("rebound");
    answerDns(rebound, ["192.168.1.20"]);
    for (const [url, message] of [
      ["http://127.0.0.1:8850/internal-admin", "127.0.0.1 is a loopback address"],
      [`https://${rebound}/h`, "resolves to 192.168.1.20, a private address"],
    ] as const) {
      await expectUrlRefused(await api.patch(`/webhooks/${made.body.id}`, { url }), message);
      await expectUrlRefused(await api.put(`/webhooks/${made.body.id}`, { url }), message);
    }
    expect((await api.get<Endpoint>(`/webhooks/${made.body.id}`)).body.url).toBe(made.body.url);
  });
});

/** POST /api/v1/webhooks with other bindings than the suite's (as `.dev.vars` would set them). */
async function createWith(bindings: Partial<Cloudflare.Env>, key: string, url: string) {
  const ctx = createExecutionContext();
  const res = await worker.fetch(
    new Request("http://api.test/api/v1/webhooks", {
      method: "POST",
      headers: {
        "x-api-key": key,
        "content-type": "application/json",
        "Commet-Version": "2026-07-31",
      },
      body: JSON.stringify({ url, events: ["*"] }),
    }),
    { ...env, ...bindings },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return { status: res.status, body: await res.json() };
}

describe("WEBHOOK_ALLOW_LOOPBACK (npm run dev)", () => {
  const dev = { WEBHOOK_ALLOW_LOOPBACK: "true" };

  it("lets loopback receivers through in test mode; private ranges stay refused", async () => {
    const { key } = await createKey(uniqueOrg(), "test", { tier: "unlimited" });
    for (const url of [
      "http://127.0.0.1:8850/hooks",
      "http://localhost:8850/",
      "http://[::1]:8850/",
    ]) {
      expect((await createWith(dev, key, url)).status).toBe(201);
    }
    await expectUrlRefused(
      await createWith(dev, key, "http://10.0.0.5/h"),
      "10.0.0.5 is a private address",
    );
    await expectUrlRefused(
      await createWith(dev, key, "http://169.254.169.254/"),
      "169.254.169.254 is the cloud metadata address",
    );
    await expectUrlRefused(
      await createWith({}, key, "http://127.0.0.1:8850/hooks"),
      "127.0.0.1 is a loopback address",
    );
  });

  it("does nothing in live mode", async () => {
    const { key } = await createKey(uniqueOrg(), "live", { tier: "unlimited" });
    await expectUrlRefused(
      await createWith(dev, key, "https://localhost/h"),
      "localhost is a loopback name",
    );
  });
});

describe("delivering to a target vetted again before each POST", () => {
  let logs: string[];
  beforeEach(() => {
    logs = [];
    vi.spyOn(console, "log").mockImplementation((line) => logs.push(String(line)));
  });

  /** An endpoint created over the API while its name resolves publicly. */
  async function registered(api: Client) {
    const r = receiver();
    const made = await api.post<Endpoint>("/webhooks", { url: r.url, events: ["*"] });
    expect(made.status).toBe(201);
    return { r, id: made.body.id, host: hostOf(r.url) };
  }

  type TestSend = { success: boolean; deliveryId: string };

  it("sends nothing once the name resolves to loopback, and counts it against the endpoint", async () => {
    const api = await client(uniqueOrg(), "test", "2026-07-31");
    const { r, id, host } = await registered(api);
    expect((await api.post<TestSend>(`/webhooks/${id}/test`)).body.success).toBe(true);
    expect(r.requests).toHaveLength(1);

    answerDns(host, ["127.0.0.1"]);
    const sent = await api.post<TestSend>(`/webhooks/${id}/test`);
    expect(sent.body.success).toBe(false);
    expect(r.requests).toHaveLength(1);
    const error = "not sent: url: resolves to 127.0.0.1, a loopback address";
    expect(await attemptsOf(sent.body.deliveryId)).toMatchObject([
      { attempt: 1, status_code: null, error, response_excerpt: null },
    ]);
    expect((await endpointState(id))?.failing_since).not.toBeNull();
    expect(
      logs.map((l) => JSON.parse(l)).filter((l) => l.message === "webhook attempt failed"),
    ).toMatchObject([{ level: "info", endpointId: id, statusCode: null, error }]);
  });

  it("sends nothing from the queue once the name resolves to the metadata address", async () => {
    const orgId = uniqueOrg();
    const { r, id, host } = await registered(await client(orgId, "test", "2026-07-31"));
    answerDns(host, ["2606:4700::1", "169.254.169.254"]);
    const eventId = await insertEvent({ orgId, type: "plan.created", data: planData() });
    await runBatch([eventMessage(eventId)]);
    const [delivery] = await deliveriesOf(eventId);
    expect(delivery).toMatchObject({ endpoint_id: id, status: "pending", attempts: 1 });
    expect(await attemptsOf(delivery?.id ?? "")).toMatchObject([
      { error: "not sent: url: resolves to 169.254.169.254, the cloud metadata address" },
    ]);
    expect(r.requests).toEqual([]);
  });

  it("sends nothing when the lookup fails, without counting it against the endpoint: the service's failure, logged as an error", async () => {
    const api = await client(uniqueOrg(), "test", "2026-07-31");
    const { r, id, host } = await registered(api);
    answerDns(host, "fail");
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const sent = await api.post<TestSend>(`/webhooks/${id}/test`);
    expect(sent.body.success).toBe(false);
    const error = "not sent: url: the lookup of its address failed";
    expect(await attemptsOf(sent.body.deliveryId)).toMatchObject([{ status_code: null, error }]);
    expect(r.requests).toEqual([]);
    expect((await endpointState(id))?.failing_since).toBeNull();
    expect(errors.mock.calls.map(([line]) => JSON.parse(String(line)))).toMatchObject([
      ownFailureLine({ deliveryId: sent.body.deliveryId, endpointId: id }, error),
    ]);
  });

  it("sends nothing to a name without addresses, and counts it", async () => {
    const api = await client(uniqueOrg(), "test", "2026-07-31");
    const { r, id, host } = await registered(api);
    answerDns(host, []);
    const sent = await api.post<TestSend>(`/webhooks/${id}/test`);
    expect(await attemptsOf(sent.body.deliveryId)).toMatchObject([
      { error: `not sent: url: ${host} has no address (A or AAAA)` },
    ]);
    expect(r.requests).toEqual([]);
    expect((await endpointState(id))?.failing_since).not.toBeNull();
  });

  it("sends nothing to an endpoint stored before these rules at a loopback address", async () => {
    const orgId = uniqueOrg();
    const endpoint = await createEndpoint({ orgId, url: "http://127.0.0.1:9/internal-admin" });
    const eventId = await insertEvent({ orgId, type: "plan.created", data: planData() });
    await runBatch([eventMessage(eventId)]);
    const [delivery] = await deliveriesOf(eventId);
    expect(delivery?.endpoint_id).toBe(endpoint.id);
    expect(await attemptsOf(delivery?.id ?? "")).toMatchObject([
      { status_code: null, error: "not sent: url: 127.0.0.1 is a loopback address" },
    ]);
  });

  it("delivers to a name resolving to loopback with WEBHOOK_ALLOW_LOOPBACK, in test mode only", async () => {
    const orgId = uniqueOrg();
    const [test, live] = [receiver(), receiver()];
    await createEndpoint({ orgId, url: test.url });
    await createEndpoint({ orgId, mode: "live", url: live.url });
    answerDns(hostOf(test.url), ["127.0.0.1"]);
    answerDns(hostOf(live.url), ["127.0.0.1"]);
    const dev = { WEBHOOK_ALLOW_LOOPBACK: "true" };
    const testEvent = await insertEvent({ orgId, type: "plan.created", data: planData() });
    const liveEvent = await insertEvent({
      orgId,
      mode: "live",
      type: "plan.created",
      data: planData(),
    });
    await runBatch([eventMessage(testEvent), eventMessage(liveEvent)], { bindings: dev });
    expect(test.requests).toHaveLength(1);
    expect(live.requests).toEqual([]);
    const [liveDelivery] = await deliveriesOf(liveEvent);
    expect(await attemptsOf(liveDelivery?.id ?? "")).toMatchObject([
      { error: "not sent: url: resolves to 127.0.0.1, a loopback address" },
    ]);
  });
});
