import { afterEach, describe, expect, it, vi } from "vitest";
import {
  DEFAULT_DOH_URL,
  dohResolver,
  installResolver,
  parseDohAnswer,
  resolverFor,
} from "../../src/webhooks/resolve";
import { fakeResolver } from "../helpers/dns";

afterEach(() => vi.restoreAllMocks());

type Doh = { Status: number; Answer?: unknown[]; Authority?: unknown[] };
type Reply = Doh | "http-500" | "throw" | "not-json";

const A = (data: string, TTL = 300) => ({ name: "x", type: 1, TTL, data });
const AAAA = (data: string, TTL = 300) => ({ name: "x", type: 28, TTL, data });
const CNAME = (data: string) => ({ name: "x", type: 5, TTL: 300, data });
const SOA = (TTL: number) => ({
  name: "example.com",
  type: 6,
  TTL,
  data: "ns. hostmaster. 1 2 3 4 5",
});

/** A DoH service answering from `zone` (name → type → reply); every request is kept. */
function fakeDoh(zone: Record<string, { A?: Reply; AAAA?: Reply }>) {
  const requests: { url: URL; accept: string | null }[] = [];
  const fetch = async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    requests.push({ url, accept: new Headers(init?.headers).get("accept") });
    const name = url.searchParams.get("name") ?? "";
    const type = url.searchParams.get("type") as "A" | "AAAA";
    const reply: Reply = zone[name]?.[type] ?? { Status: 3, Authority: [SOA(30)] };
    if (reply === "throw") throw new TypeError("Network connection lost.");
    if (reply === "http-500") return new Response("oops", { status: 500 });
    if (reply === "not-json") return new Response("<html>", { status: 200 });
    return Response.json(reply, { headers: { "content-type": "application/dns-json" } });
  };
  return { fetch: fetch as typeof globalThis.fetch, requests };
}

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (s: number) => (t += s * 1000) };
}

describe("the DoH resolver", () => {
  it("asks A and AAAA with the DNS JSON media type and returns both families' addresses", async () => {
    const doh = fakeDoh({
      "hooks.example.com": {
        A: { Status: 0, Answer: [CNAME("edge.example.net."), A("93.184.215.14")] },
        AAAA: { Status: 0, Answer: [AAAA("2606:2800:21f:cb07:6820:80da:af6b:8b2c")] },
      },
    });
    const resolve = dohResolver({ fetch: doh.fetch, url: "https://doh.test/dns-query" });
    expect(await resolve("Hooks.Example.COM.")).toEqual({
      status: "found",
      addresses: ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"],
    });
    expect(
      doh.requests.map((r) => `${r.url.origin}${r.url.pathname} ${r.url.search}`).sort(),
    ).toEqual([
      "https://doh.test/dns-query ?name=hooks.example.com&type=A",
      "https://doh.test/dns-query ?name=hooks.example.com&type=AAAA",
    ]);
    expect(doh.requests.every((r) => r.accept === "application/dns-json")).toBe(true);
  });

  it("says none for a name that does not exist or has no address", async () => {
    const doh = fakeDoh({
      "empty.example.com": { A: { Status: 0 }, AAAA: { Status: 0, Answer: [] } },
    });
    const resolve = dohResolver({ fetch: doh.fetch, url: DEFAULT_DOH_URL });
    expect(await resolve("missing.example.com")).toEqual({ status: "none" });
    expect(await resolve("empty.example.com")).toEqual({ status: "none" });
  });

  it.each<[string, Reply]>([
    ["a REFUSED", { Status: 5 }],
    ["an HTTP error", "http-500"],
    ["a network error", "throw"],
    ["an answer that is not JSON", "not-json"],
    ["a record that is not an address", { Status: 0, Answer: [AAAA("not-an-address")] }],
    ["an answer that is not a list", { Status: 0, Answer: {} as unknown[] }],
  ])("fails closed on %s, even when the other family answered", async (_, reply) => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const doh = fakeDoh({
      "x.example.com": { A: { Status: 0, Answer: [A("8.8.8.8")] }, AAAA: reply },
    });
    const resolve = dohResolver({ fetch: doh.fetch, url: DEFAULT_DOH_URL });
    expect(await resolve("x.example.com")).toEqual({ status: "failed" });
    expect(errors).toHaveBeenCalledTimes(1);
    expect(JSON.parse(String(errors.mock.calls[0]?.[0]))).toMatchObject({
      level: "warn",
      message: "webhook host lookup failed",
      type: "AAAA",
    });
  });

  it("tells a SERVFAIL (a broken zone gives one too) from the service's failure, and keeps neither", async () => {
    const errors = vi.spyOn(console, "error").mockImplementation(() => {});
    const doh = fakeDoh({
      "broken.example.com": { A: { Status: 0, Answer: [A("8.8.8.8")] }, AAAA: { Status: 2 } },
      "worse.example.com": { A: { Status: 2 }, AAAA: "http-500" },
    });
    const resolve = dohResolver({ fetch: doh.fetch, url: DEFAULT_DOH_URL });
    expect(await resolve("broken.example.com")).toEqual({ status: "servfail" });
    expect(JSON.parse(String(errors.mock.calls[0]?.[0]))).toMatchObject({
      level: "warn",
      message: "webhook host lookup failed",
      type: "AAAA",
      rcode: "SERVFAIL",
    });
    // Half of it the service's failure: nothing says the name is at fault.
    expect(await resolve("worse.example.com")).toEqual({ status: "failed" });
    expect(await resolve("broken.example.com")).toEqual({ status: "servfail" });
    expect(doh.requests).toHaveLength(6);
  });

  it("keeps an answer for its TTL, at most 5 minutes, and a negative one at most 1", async () => {
    const doh = fakeDoh({
      "short.example.com": { A: { Status: 0, Answer: [A("8.8.8.8", 10)] }, AAAA: { Status: 0 } },
      "long.example.com": {
        A: { Status: 0, Answer: [A("8.8.4.4", 86_400)] },
        AAAA: { Status: 0, Answer: [AAAA("2001:4860:4860::8844", 86_400)] },
      },
      "gone.example.com": { A: { Status: 3, Authority: [SOA(3600)] }, AAAA: { Status: 3 } },
    });
    const time = clock();
    const resolve = dohResolver({ fetch: doh.fetch, url: DEFAULT_DOH_URL, now: time.now });
    const asked = (name: string) =>
      doh.requests.filter((r) => r.url.searchParams.get("name") === name).length;
    for (const name of ["short.example.com", "long.example.com", "gone.example.com"]) {
      await resolve(name);
    }
    time.advance(9);
    for (const name of ["short.example.com", "long.example.com", "gone.example.com"]) {
      await resolve(name);
    }
    expect([
      asked("short.example.com"),
      asked("long.example.com"),
      asked("gone.example.com"),
    ]).toEqual([2, 2, 2]);
    time.advance(2); // 11 s: the 10 s record has expired
    await resolve("short.example.com");
    expect(asked("short.example.com")).toBe(4);
    time.advance(50); // 61 s: the negative answer has expired, the day-long one has not
    await resolve("gone.example.com");
    await resolve("long.example.com");
    expect([asked("gone.example.com"), asked("long.example.com")]).toEqual([4, 2]);
    time.advance(240); // 301 s
    await resolve("long.example.com");
    expect(asked("long.example.com")).toBe(4);
  });

  it("does not keep a failure, and keeps at most maxEntries names", async () => {
    vi.spyOn(console, "error").mockImplementation(() => {});
    const doh = fakeDoh({
      "down.example.com": { A: "http-500", AAAA: "http-500" },
      "a.example.com": { A: { Status: 0, Answer: [A("8.8.8.8")] } },
      "b.example.com": { A: { Status: 0, Answer: [A("8.8.8.8")] } },
      "c.example.com": { A: { Status: 0, Answer: [A("8.8.8.8")] } },
    });
    const resolve = dohResolver({ fetch: doh.fetch, url: DEFAULT_DOH_URL, maxEntries: 2 });
    await resolve("down.example.com");
    await resolve("down.example.com");
    expect(doh.requests).toHaveLength(4);
    doh.requests.length = 0;
    for (const name of ["a", "b", "c", "b", "c", "a"]) await resolve(`${name}.example.com`);
    // a, b, c asked once each; c pushed a out, so a is asked again.
    expect(
      doh.requests.map((r) => r.url.searchParams.get("name")).filter((_, i) => i % 2 === 0),
    ).toEqual(["a.example.com", "b.example.com", "c.example.com", "a.example.com"]);
  });

  it("parses a DoH JSON answer strictly", () => {
    expect(parseDohAnswer({ Status: 0, Answer: [A("1.2.3.4", 42)] }, "A")).toEqual({
      addresses: ["1.2.3.4"],
      ttl: 42,
    });
    expect(parseDohAnswer({ Status: 0, Answer: [AAAA("1.2.3.4")] }, "A")).toEqual({
      addresses: [],
      ttl: 60,
    });
    expect(parseDohAnswer({ Status: 0, Answer: [A("::1")] }, "A")).toBeNull();
    expect(parseDohAnswer({ Answer: [] }, "A")).toBeNull();
    expect(parseDohAnswer(null, "A")).toBeNull();
    expect(parseDohAnswer({ Status: 0, Answer: ["1.2.3.4"] }, "A")).toBeNull();
    expect(parseDohAnswer({ Status: 2 }, "A")).toBe("servfail");
    expect(parseDohAnswer({ Status: 5 }, "A")).toBeNull();
  });

  it("is replaced in tests: no lookup ever reaches the network", () => {
    expect(resolverFor(undefined)).toBe(fakeResolver);
    expect(resolverFor("https://dns.google/resolve")).toBe(fakeResolver);
    installResolver(null);
    try {
      const real = resolverFor(undefined);
      expect(real).not.toBe(fakeResolver);
      expect(resolverFor(DEFAULT_DOH_URL)).toBe(real);
    } finally {
      installResolver(fakeResolver);
    }
  });
});
