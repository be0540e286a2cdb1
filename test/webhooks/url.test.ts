import { describe, expect, it, vi } from "vitest";
import type { Lookup, Resolver } from "../../src/webhooks/resolve";
import {
  checkWebhookUrl,
  MAX_URL_LENGTH,
  type UrlPolicy,
  vetWebhookUrl,
} from "../../src/webhooks/url";

const live = { mode: "live", allowLoopback: false } as const;
const test = { mode: "test", allowLoopback: false } as const;
/** Test mode with WEBHOOK_ALLOW_LOOPBACK, as `npm run dev` sets it. */
const dev = { mode: "test", allowLoopback: true } as const;

const IP_IN_LIVE = "must use a host name, not an IP address, in live mode";

describe("webhook URL rules", () => {
  it.each([
    ["https://example.com/hooks", "example.com"],
    ["https://example.com:443/hooks", "example.com"],
    ["https://EXAMPLE.com./x", "example.com"],
    ["https://8.8.8.8.nip.io/x", "8.8.8.8.nip.io"],
    [
      `https://example.com/${"a".repeat(MAX_URL_LENGTH - "https://example.com/".length)}`,
      "example.com",
    ],
  ])("live and test accept %s, whose addresses %s still decide", (url, lookup) => {
    expect(checkWebhookUrl(url, live)).toEqual({ ok: true, lookup });
    expect(checkWebhookUrl(url, test)).toEqual({ ok: true, lookup });
  });

  it.each([
    ["http://example.com/hooks", "must use https"],
    ["ftp://example.com/hooks", "must use https"],
    ["https://hooks.example.com:8443/commet", "must use the default https port in live mode"],
    ["https://example.com:6379/", "must use the default https port in live mode"],
    ["https://127.0.0.1/hooks", IP_IN_LIVE],
    ["https://10.0.0.8:8080/hooks", IP_IN_LIVE],
    ["https://2130706433/hooks", IP_IN_LIVE],
    ["https://0x7f.1/hooks", IP_IN_LIVE],
    ["https://8.8.8.8/hooks", IP_IN_LIVE],
    ["https://[::1]/hooks", IP_IN_LIVE],
    ["https://[2606:4700:4700::1111]/hooks", IP_IN_LIVE],
    ["https://localhost/hooks", "localhost is a loopback name"],
    ["https://LOCALHOST./hooks", "localhost is a loopback name"],
    ["https://api.localhost/hooks", "api.localhost is a loopback name"],
    ["https://metadata.google.internal/x", "metadata.google.internal is a cloud metadata name"],
    [
      "https://metadata.platformequinix.com/x",
      "metadata.platformequinix.com is a cloud metadata name",
    ],
    ["https://svc.internal/x", "svc.internal is a local network name (.internal)"],
    ["https://printer.local/x", "printer.local is a local network name (.local)"],
    ["https://intranet/hooks", "intranet is not a public host name"],
  ])("live refuses %s", (url, reason) => {
    expect(checkWebhookUrl(url, live)).toEqual({ ok: false, reason });
    // The allowance is for test mode only.
    expect(checkWebhookUrl(url, { mode: "live", allowLoopback: true })).toEqual({
      ok: false,
      reason,
    });
  });

  it.each([
    ["http://example.com:8080/hooks", "example.com"],
    ["http://8.8.8.8:8850/hooks", null],
    ["https://[2606:4700:4700::1111]:8443/x", null],
  ])("test mode also accepts http, other ports and public addresses: %s", (url, lookup) => {
    expect(checkWebhookUrl(url, test)).toEqual({ ok: true, lookup });
  });

  it.each([
    ["http://127.0.0.1:8850/hooks", "127.0.0.1 is a loopback address"],
    ["http://0x7f.1/", "127.0.0.1 is a loopback address"],
    ["http://2130706433/", "127.0.0.1 is a loopback address"],
    ["http://localhost:3000/webhooks", "localhost is a loopback name"],
    ["http://[::1]:8850/", "[::1] is a loopback address"],
    [
      "http://[::ffff:127.0.0.1]/",
      "[::ffff:7f00:1] is a loopback address (127.0.0.1, IPv4-mapped)",
    ],
    ["https://10.0.0.8/hooks", "10.0.0.8 is a private address"],
    ["http://169.254.169.254/latest/meta-data/", "169.254.169.254 is the cloud metadata address"],
    ["http://[64:ff9b::a00:1]/", "[64:ff9b::a00:1] is a private address (10.0.0.1, NAT64)"],
    ["http://[2002:a00:1::]/", "[2002:a00:1::] is a private address (10.0.0.1, 6to4)"],
    ["http://[fd00::1]/", "[fd00::1] is a unique-local address"],
    ["http://[::]/", "[::] is an unspecified address"],
    ["http://0.0.0.0:8080/", "0.0.0.0 is an unspecified address"],
    ["http://192.0.2.10/", "192.0.2.10 is a documentation address"],
    ["https://metadata.google.internal/x", "metadata.google.internal is a cloud metadata name"],
    ["http://intranet/hooks", "intranet is not a public host name"],
  ])("test mode refuses %s", (url, reason) => {
    expect(checkWebhookUrl(url, test)).toEqual({ ok: false, reason });
  });

  it("lets loopback receivers through in test mode with the dev allowance, and nothing else", () => {
    for (const url of [
      "http://127.0.0.1:8850/hooks",
      "http://127.1.2.3/",
      "http://0x7f.1/",
      "http://localhost:3000/webhooks",
      "http://[::1]:8850/",
    ]) {
      // No lookup: a loopback receiver is on the developer's machine.
      expect(checkWebhookUrl(url, dev)).toEqual({ ok: true, lookup: null });
    }
    for (const url of [
      "http://10.0.0.8/",
      "http://192.168.1.10:8080/",
      "http://169.254.169.254/",
      "http://[fd00::1]/",
      "http://printer.local/",
      // Loopback by name, but resolved again by whoever connects: only `localhost` itself.
      "http://api.localhost/",
      "http://127.0.0.1.nip.io/",
      "http://lvh.me/",
    ]) {
      expect(checkWebhookUrl(url, dev)).toMatchObject({ ok: false });
    }
  });

  it.each(["test", "live"] as const)("%s mode refuses what is never an endpoint", (mode) => {
    const refuse = (url: string) => checkWebhookUrl(url, { mode, allowLoopback: true });
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

/** A resolver answering from `zone`; any other name has no address. */
function zone(answers: Record<string, Lookup>): Resolver & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (name: string): Promise<Lookup> => {
    asked.push(name);
    return answers[name] ?? { status: "none" };
  };
  return Object.assign(resolve, { asked });
}

const found = (...addresses: string[]): Lookup => ({ status: "found", addresses });

describe("vetting a webhook target with its addresses", () => {
  const resolve = zone({
    "public.example.com": found("93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"),
    "private.example.com": found("10.0.0.5"),
    "mixed.example.com": found("93.184.215.14", "192.168.1.1"),
    "imds.example.com": found("::ffff:a9fe:a9fe"),
    "loop.example.com": found("127.0.0.1"),
    "down.example.com": { status: "failed" },
    "broken.example.com": { status: "servfail" },
  });
  const policy = (p: Omit<UrlPolicy, "resolve">): UrlPolicy => ({ ...p, resolve });

  it.each(["register", "send"] as const)(
    "refuses a name resolving to a forbidden address (%s)",
    async (stage) => {
      for (const p of [policy(live), policy(test)]) {
        const vet = (url: string) => vetWebhookUrl(url, p, stage);
        expect(await vet("https://public.example.com/h")).toEqual({ ok: true });
        expect(await vet("https://private.example.com/h")).toEqual({
          ok: false,
          reason: "resolves to 10.0.0.5, a private address",
          fault: "endpoint",
        });
        expect(await vet("https://mixed.example.com/h")).toEqual({
          ok: false,
          reason: "resolves to 192.168.1.1, a private address",
          fault: "endpoint",
        });
        expect(await vet("https://imds.example.com/h")).toEqual({
          ok: false,
          reason:
            "resolves to ::ffff:a9fe:a9fe, the cloud metadata address (169.254.169.254, IPv4-mapped)",
          fault: "endpoint",
        });
        expect(await vet("https://loop.example.com/h")).toMatchObject({
          ok: false,
          reason: "resolves to 127.0.0.1, a loopback address",
        });
      }
    },
  );

  it("accepts a name that has no address or whose lookup failed at registration, not at a send", async () => {
    const register = (url: string) => vetWebhookUrl(url, policy(live), "register");
    const send = (url: string) => vetWebhookUrl(url, policy(live), "send");
    expect(await register("https://new.example.com/h")).toEqual({ ok: true });
    expect(await register("https://down.example.com/h")).toEqual({ ok: true });
    expect(await send("https://new.example.com/h")).toEqual({
      ok: false,
      reason: "new.example.com has no address (A or AAAA)",
      fault: "endpoint",
    });
    expect(await send("https://down.example.com/h")).toEqual({
      ok: false,
      reason: "the lookup of its address failed",
      fault: "service",
    });
    expect(await register("https://broken.example.com/h")).toEqual({ ok: true });
    expect(await send("https://broken.example.com/h")).toEqual({
      ok: false,
      reason: "the lookup of its address failed: its DNS answers SERVFAIL",
      fault: "unclear",
    });
  });

  it("looks up host names only", async () => {
    const spy = vi.fn(resolve);
    const p: UrlPolicy = { ...dev, resolve: spy };
    expect(await vetWebhookUrl("http://8.8.8.8/h", p, "send")).toEqual({ ok: true });
    expect(await vetWebhookUrl("http://localhost:8850/h", p, "send")).toEqual({ ok: true });
    expect(await vetWebhookUrl("http://10.0.0.1/h", p, "send")).toMatchObject({ ok: false });
    expect(await vetWebhookUrl("https://svc.internal/h", p, "send")).toMatchObject({ ok: false });
    expect(spy).not.toHaveBeenCalled();
  });

  it("lets a name resolving to loopback through with the dev allowance, in test mode only", async () => {
    const p = policy(dev);
    expect(await vetWebhookUrl("http://loop.example.com:8850/h", p, "send")).toEqual({ ok: true });
    expect(await vetWebhookUrl("http://private.example.com/h", p, "send")).toMatchObject({
      ok: false,
      reason: "resolves to 10.0.0.5, a private address",
    });
    expect(
      await vetWebhookUrl("https://loop.example.com/h", { ...p, mode: "live" }, "send"),
    ).toMatchObject({ ok: false, reason: "resolves to 127.0.0.1, a loopback address" });
  });
});
