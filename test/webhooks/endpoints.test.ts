import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { decrypt, isEncrypted, sealedFor } from "../../src/lib/crypto";
import { client, expectError } from "../helpers/http";
import { newIdempotencyKey, settled, storedKey } from "../helpers/idempotency";

type Endpoint = {
  id: string;
  url: string;
  events: string[];
  description: string | null;
  isActive: boolean;
  apiVersion: string | null;
  secretKey?: string;
};

const current = (mode: "test" | "live" = "test") => client(undefined, mode, "2026-07-31");

describe("webhook endpoints", () => {
  it("creates with a signing secret shown once, and stores it encrypted", async () => {
    const api = await current("live");
    const res = await api.post<Endpoint>("/webhooks", {
      url: "https://hooks.example.com/commet",
      events: ["plan.created", "plan_group.plan_added"],
      description: "CRM",
      apiVersion: "2026-07-11",
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      object: "webhook",
      livemode: true,
      url: "https://hooks.example.com/commet",
      events: ["plan.created", "plan_group.plan_added"],
      description: "CRM",
      isActive: true,
      apiVersion: "2026-07-11",
    });
    expect(res.body.secretKey).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const got = await api.get<Endpoint>(`/webhooks/${res.body.id}`);
    expect(got.body).not.toHaveProperty("secretKey");
    const list = await api.get("/webhooks");
    expect(list.text).not.toContain(res.body.secretKey);
    const row = await env.DB.prepare("SELECT secret FROM webhook_endpoints WHERE id = ?")
      .bind(res.body.id)
      .first<{ secret: string }>();
    expect(isEncrypted(row?.secret ?? "")).toBe(true);
    expect(await decrypt(env, sealedFor.endpointSecret(res.body.id), row?.secret ?? "")).toBe(
      res.body.secretKey,
    );
  });

  it("answers in the envelope under 2026-07-11, where 7.x updates with PUT", async () => {
    const api = await client();
    const res = await api.post<{ success: boolean; data: Endpoint }>("/webhooks", {
      url: "http://hooks.example.com:8080/hooks",
      events: ["*"],
    });
    expect(res.body).toMatchObject({ success: true, data: { object: "webhook", events: ["*"] } });
    const put = await api.put<{ data: Endpoint }>(`/webhooks/${res.body.data.id}`, {
      isActive: false,
    });
    expect(put.body.data.isActive).toBe(false);
  });

  it.each([
    [{ url: "https://x.example.com", events: [] }, "events"],
    [{ url: "https://x.example.com", events: ["plan.exploded"] }, "events"],
    [{ url: "https://x.example.com", events: ["plan.created", "plan.exploded"] }, "events"],
    [{ url: "https://x.example.com", events: Array(21).fill("*") }, "events"],
    [{ url: "https://x.example.com", events: ["*"], apiVersion: "2026-07-32" }, "apiVersion"],
    [{ url: "https://x.example.com", events: ["*"], secret: "mine" }, "secret"],
    [{ url: `https://x.example.com/${"a".repeat(2048)}`, events: ["*"] }, "url"],
    [{ url: "ftp://x.example.com", events: ["*"] }, "url"],
    [{ url: "https://user:pw@x.example.com", events: ["*"] }, "url"],
    [{ events: ["*"] }, "url"],
  ])("refuses %j naming %s", async (body, param) => {
    const api = await current();
    expectError(await api.post("/webhooks", body), 400, "validation_error", param);
  });

  it("takes http, other ports and public IP addresses in test mode only", async () => {
    const test = await current("test");
    const live = await current("live");
    for (const url of [
      "http://hooks.example.com:8787/hook",
      "https://hooks.example.com:8443/x",
      "http://8.8.8.8:3000/x",
      "https://[2606:4700:4700::1111]/x",
    ]) {
      expect((await test.post("/webhooks", { url, events: ["*"] })).status).toBe(201);
      expectError(
        await live.post("/webhooks", { url, events: ["*"] }),
        400,
        "validation_error",
        "url",
      );
    }
    expectError(
      await live.post("/webhooks", { url: "http://hooks.example.com/x", events: ["*"] }),
      400,
      "validation_error",
      "url",
    );
  });

  it("holds at most 16 endpoints per organization and mode", async () => {
    const api = await current();
    for (let i = 0; i < 16; i++) {
      const res = await api.post("/webhooks", {
        url: `https://e${i}.example.com/h`,
        events: ["*"],
      });
      expect(res.status).toBe(201);
    }
    expectError(
      await api.post("/webhooks", { url: "https://e16.example.com/h", events: ["*"] }),
      409,
      "limit_exceeded",
    );
  });

  it("updates only what is sent, reactivates, and deletes", async () => {
    const api = await current();
    const made = (
      await api.post<Endpoint>("/webhooks", {
        url: "https://a.example.com/h",
        events: ["*"],
        description: "d",
      })
    ).body;
    await env.DB.prepare(
      "UPDATE webhook_endpoints SET is_active = 0, failing_since = 1 WHERE id = ?",
    )
      .bind(made.id)
      .run();
    const res = await api.patch<Endpoint>(`/webhooks/${made.id}`, {
      isActive: true,
      description: null,
      events: ["plan.deleted"],
    });
    expect(res.body).toMatchObject({
      isActive: true,
      description: null,
      events: ["plan.deleted"],
      url: "https://a.example.com/h",
    });
    const row = await env.DB.prepare("SELECT failing_since FROM webhook_endpoints WHERE id = ?")
      .bind(made.id)
      .first<{ failing_since: number | null }>();
    expect(row?.failing_since).toBeNull();
    expectError(
      await api.patch(`/webhooks/${made.id}`, { url: "ftp://nope" }),
      400,
      "validation_error",
      "url",
    );
    expect((await api.del(`/webhooks/${made.id}`)).body).toEqual({
      id: made.id,
      deleted: true,
      object: "webhook",
      livemode: false,
    });
    expectError(await api.get(`/webhooks/${made.id}`), 404, "webhook_not_found", "id");
  });

  it("replays a keyed create with the same secret, stored encrypted", async () => {
    const api = await current();
    const key = newIdempotencyKey();
    const send = () =>
      api.call<Endpoint>("POST", "/webhooks", {
        body: { url: "https://once.example.com/h", events: ["*"] },
        headers: { "Idempotency-Key": key },
      });
    const first = await send();
    const retry = await settled(send);
    expect(retry.text).toBe(first.text);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    const stored = await storedKey(api.orgId, key);
    expect(stored?.response_body).not.toContain(first.body.secretKey);
    expect((await api.get<{ data: Endpoint[] }>("/webhooks")).body.data).toHaveLength(1);
  });
});
