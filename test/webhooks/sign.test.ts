import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  deliveryHeaders,
  newSigningSecret,
  signCommet,
  signStandard,
} from "../../src/webhooks/sign";
import { commetVerifies, standardVerifies } from "../helpers/verify";

const body = JSON.stringify({ id: "whev_1", event: "plan.created", data: { name: "Pro ✓" } });

describe("signing secrets", () => {
  it("are whsec_ + base64 of 32 random bytes", () => {
    const secrets = new Set(Array.from({ length: 50 }, () => newSigningSecret()));
    expect(secrets.size).toBe(50);
    for (const secret of secrets) {
      expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      expect(Buffer.from(secret.slice(6), "base64")).toHaveLength(32);
    }
  });
});

describe("x-commet-signature", () => {
  it("is the hex HMAC-SHA256 of the raw body keyed with the whole secret, as the SDK checks", async () => {
    const secret = newSigningSecret();
    const signature = await signCommet(secret, body);
    expect(signature).toBe(createHmac("sha256", secret).update(body).digest("hex"));
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(commetVerifies(body, signature, secret)).toBe(true);
  });

  it("fails the SDK's check for a tampered body or another secret", async () => {
    const secret = newSigningSecret();
    const signature = await signCommet(secret, body);
    expect(commetVerifies(body.replace("Pro", "Pr0"), signature, secret)).toBe(false);
    expect(commetVerifies(`${body} `, signature, secret)).toBe(false);
    expect(commetVerifies(body, signature, newSigningSecret())).toBe(false);
  });
});

describe("Standard Webhooks signature", () => {
  it("is v1, + base64 HMAC-SHA256 of id.timestamp.body keyed with the decoded secret", async () => {
    const secret = newSigningSecret();
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = await signStandard(secret, "whev_1", timestamp, body);
    const expected = createHmac("sha256", Buffer.from(secret.slice("whsec_".length), "base64"))
      .update(`whev_1.${timestamp}.${body}`)
      .digest("base64");
    expect(signature).toBe(`v1,${expected}`);
  });

  it("passes the standardwebhooks library with every delivery header, and fails it when tampered", async () => {
    const secret = newSigningSecret();
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = await deliveryHeaders(secret, "whev_1", timestamp, body);
    expect(headers).toMatchObject({
      "content-type": "application/json",
      "x-commet-event-id": "whev_1",
      "webhook-id": "whev_1",
      "webhook-timestamp": String(timestamp),
    });
    expect(standardVerifies(body, headers, secret)).toBe(true);
    expect(commetVerifies(body, headers["x-commet-signature"] ?? null, secret)).toBe(true);

    expect(standardVerifies(body.replace("Pro", "Pr0"), headers, secret)).toMatch(/signature/i);
    expect(standardVerifies(body, headers, newSigningSecret())).toMatch(/signature/i);
    expect(standardVerifies(body, { ...headers, "webhook-id": "whev_2" }, secret)).toMatch(
      /signature/i,
    );
    // The timestamp is signed too: an old one fails (replays), a changed one fails the signature.
    expect(
      standardVerifies(body, { ...headers, "webhook-timestamp": String(timestamp - 3600) }, secret),
    ).toMatch(/timestamp/i);
    expect(
      standardVerifies(body, { ...headers, "webhook-timestamp": String(timestamp + 1) }, secret),
    ).toMatch(/signature/i);
  });
});
