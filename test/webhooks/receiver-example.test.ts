import { describe, expect, it } from "vitest";
import { type HeaderLookup, verifyDelivery } from "../../examples/webhook-verify";
import { deliveryHeaders, newSigningSecret } from "../../src/webhooks/sign";
import { commetVerifies, standardVerifies } from "../helpers/verify";

// The verification examples/webhook-receiver.ts runs, against deliveries
// signed by the service's own signer, in the Workers runtime (it uses
// WebCrypto only, so it runs unchanged in Node, a Worker or a browser).

const NOW = 1_786_000_000; // Unix seconds
const body = JSON.stringify({
  id: "whev_01m8cjnppv5fre30af2cn5ghcx",
  event: "plan.updated",
  timestamp: "2026-08-05T10:00:00.000Z",
  organizationId: "org_receiver",
  mode: "sandbox",
  apiVersion: "2026-07-31",
  data: { object: "plan", id: "plan_01", name: "Pro — annual", livemode: false },
  previousAttributes: { name: "Pro" },
});

async function signed(secret: string, signedAt = NOW, payload = body) {
  return deliveryHeaders(secret, "whev_01m8cjnppv5fre30af2cn5ghcx", signedAt, payload);
}

const lookup =
  (headers: Record<string, string>): HeaderLookup =>
  (name) =>
    headers[name];

describe("the example receiver's verification", () => {
  it("accepts a delivery as the service signs it, as the SDK and the Standard Webhooks library do", async () => {
    const secret = newSigningSecret();
    // Signed now: the Standard Webhooks library reads the clock itself.
    const headers = await signed(secret, Math.floor(Date.now() / 1000));
    expect(await verifyDelivery(secret, body, lookup(headers))).toEqual({ ok: true });
    // The same bytes, as a receiver reads them off the wire, near the end of the tolerance.
    const bytes = new TextEncoder().encode(body);
    const late = await signed(secret);
    expect(await verifyDelivery(secret, bytes, lookup(late), { now: NOW + 299 })).toEqual({
      ok: true,
    });
    expect(commetVerifies(body, headers["x-commet-signature"] ?? "", secret)).toBe(true);
    expect(standardVerifies(body, headers, secret)).toBe(true);
  });

  it("rejects a changed body with 401, as both libraries do", async () => {
    const secret = newSigningSecret();
    const headers = await signed(secret, Math.floor(Date.now() / 1000));
    const tampered = body.replace('"Pro — annual"', '"Free"');
    expect(await verifyDelivery(secret, tampered, lookup(headers))).toEqual({
      ok: false,
      status: 401,
      reason: "x-commet-signature does not match: another secret, or a changed body",
    });
    expect(commetVerifies(tampered, headers["x-commet-signature"] ?? "", secret)).toBe(false);
    expect(standardVerifies(tampered, headers, secret)).toBe("No matching signature found");
  });

  it("rejects a delivery signed with another secret with 401", async () => {
    const headers = await signed(newSigningSecret());
    const verdict = await verifyDelivery(newSigningSecret(), body, lookup(headers), { now: NOW });
    expect(verdict).toMatchObject({ ok: false, status: 401 });
  });

  it("rejects a timestamp more than five minutes off, either way, with 401: a replay", async () => {
    const secret = newSigningSecret();
    for (const signedAt of [NOW - 301, NOW + 301]) {
      const headers = await signed(secret, signedAt);
      expect(await verifyDelivery(secret, body, lookup(headers), { now: NOW })).toEqual({
        ok: false,
        status: 401,
        reason: `webhook-timestamp ${signedAt} is more than 300 s from now`,
      });
    }
    // A tolerance of its own, for a receiver whose clock is known to drift.
    const old = await signed(secret, NOW - 600);
    const relaxed = await verifyDelivery(secret, body, lookup(old), {
      now: NOW,
      toleranceSeconds: 900,
    });
    expect(relaxed).toEqual({ ok: true });
  });

  it("needs both signatures: one that holds does not excuse the other", async () => {
    const secret = newSigningSecret();
    const headers = await signed(secret);
    const otherEvent = await deliveryHeaders(secret, "whev_other", NOW, body);
    const standardOff = { ...headers, "webhook-signature": otherEvent["webhook-signature"] ?? "" };
    expect(await verifyDelivery(secret, body, lookup(standardOff), { now: NOW })).toMatchObject({
      ok: false,
      status: 401,
      reason: expect.stringContaining("no webhook-signature matches"),
    });
    const commetOff = { ...headers, "x-commet-signature": "0".repeat(64) };
    expect(await verifyDelivery(secret, body, lookup(commetOff), { now: NOW })).toMatchObject({
      ok: false,
      status: 401,
    });
  });

  it("takes any matching one of several webhook-signatures (a sender rotating its secret)", async () => {
    const secret = newSigningSecret();
    const headers = await signed(secret);
    const stale = (await signed(newSigningSecret()))["webhook-signature"];
    const both = { ...headers, "webhook-signature": `${stale} ${headers["webhook-signature"]}` };
    expect(await verifyDelivery(secret, body, lookup(both), { now: NOW })).toEqual({ ok: true });
  });

  it("rejects what is not a delivery with 400", async () => {
    const secret = newSigningSecret();
    const headers = await signed(secret);
    const cases: Record<string, string>[] = [
      {},
      { ...headers, "webhook-id": "" },
      { ...headers, "webhook-timestamp": "yesterday" },
      { ...headers, "x-commet-signature": "not hex" },
    ];
    for (const sent of cases) {
      const verdict = await verifyDelivery(secret, body, lookup(sent), { now: NOW });
      expect(verdict).toMatchObject({ ok: false, status: 400 });
    }
  });
});
