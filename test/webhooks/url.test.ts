import { describe, expect, it } from "vitest";
import { checkWebhookUrl, MAX_URL_LENGTH } from "../../src/webhooks/url";

const ok = { ok: true };

describe("webhook URL rules", () => {
  it.each([
    "https://example.com/hooks",
    "https://hooks.example.com:8443/commet?source=plans",
    "https://EXAMPLE.com./x",
    `https://example.com/${"a".repeat(MAX_URL_LENGTH - "https://example.com/".length)}`,
  ])("live accepts %s", (url) => {
    expect(checkWebhookUrl(url, "live")).toEqual(ok);
    expect(checkWebhookUrl(url, "test")).toEqual(ok);
  });

  it.each([
    ["http://example.com/hooks", "must use https"],
    ["ftp://example.com/hooks", "must use https"],
    ["https://localhost/hooks", "must not be localhost in live mode"],
    ["https://LOCALHOST:8443/hooks", "must not be localhost in live mode"],
    ["https://api.localhost/hooks", "must not be localhost in live mode"],
    ["https://127.0.0.1/hooks", "must use a host name, not an IP address, in live mode"],
    ["https://10.0.0.8:8080/hooks", "must use a host name, not an IP address, in live mode"],
    ["https://2130706433/hooks", "must use a host name, not an IP address, in live mode"],
    ["https://0x7f.1/hooks", "must use a host name, not an IP address, in live mode"],
    ["https://[::1]/hooks", "must use a host name, not an IP address, in live mode"],
    ["https://[2001:db8::1]:8443/hooks", "must use a host name, not an IP address, in live mode"],
    ["https://intranet/hooks", "must use a public host name in live mode"],
  ])("live refuses %s", (url, reason) => {
    expect(checkWebhookUrl(url, "live")).toEqual({ ok: false, reason });
  });

  it.each([
    "http://127.0.0.1:8850/hooks",
    "http://localhost:3000/webhooks",
    "http://[::1]:8850/",
    "https://10.0.0.8/hooks",
    "http://example.com/hooks",
    "http://intranet/hooks",
  ])("test mode also accepts local receivers: %s", (url) => {
    expect(checkWebhookUrl(url, "test")).toEqual(ok);
  });

  it.each(["test", "live"] as const)("%s mode refuses what is never an endpoint", (mode) => {
    const refuse = (url: string) => checkWebhookUrl(url, mode);
    expect(refuse(`https://example.com/${"a".repeat(MAX_URL_LENGTH)}`)).toEqual({
      ok: false,
      reason: "must be at most 2048 characters",
    });
    expect(refuse("https://user:pass@example.com/hooks")).toEqual({
      ok: false,
      reason: "must not contain a user name or password",
    });
    expect(refuse("https://user@example.com/hooks")).toEqual({
      ok: false,
      reason: "must not contain a user name or password",
    });
    expect(refuse("example.com/hooks")).toEqual({
      ok: false,
      reason: "must be an absolute http or https URL",
    });
    expect(refuse("")).toMatchObject({ ok: false });
    expect(refuse("javascript:alert(1)")).toMatchObject({ ok: false });
    expect(refuse("ws://example.com/")).toMatchObject({ ok: false });
  });
});
