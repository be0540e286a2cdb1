import { describe, expect, it } from "vitest";
import { classifyHost, type ForbiddenKind, parseIPv4, parseIPv6 } from "../../src/webhooks/address";

/** The host as a URL leaves it: every spelling goes through the WHATWG parser first. */
const hostOf = (url: string) => new URL(url).hostname;

describe("forbidden webhook addresses and names", () => {
  it.each<[string, ForbiddenKind, string]>([
    // IPv4, every spelling the parser normalises
    ["http://127.0.0.1/", "loopback", "a loopback address"],
    ["http://127.255.255.254/", "loopback", "a loopback address"],
    ["http://0x7f.1/", "loopback", "a loopback address"],
    ["http://2130706433/", "loopback", "a loopback address"],
    ["http://0177.0.0.1/", "loopback", "a loopback address"],
    ["http://127.1/", "loopback", "a loopback address"],
    ["http://10.1.2.3/", "private", "a private address"],
    ["http://172.16.0.1/", "private", "a private address"],
    ["http://172.31.255.255/", "private", "a private address"],
    ["http://192.168.0.1/", "private", "a private address"],
    ["http://169.254.169.254/", "link-local", "the cloud metadata address"],
    ["http://0xa9fea9fe/", "link-local", "the cloud metadata address"],
    ["http://169.254.1.1/", "link-local", "a link-local address"],
    ["http://100.64.0.1/", "cgnat", "a shared (CGNAT) address"],
    ["http://100.100.100.200/", "cgnat", "a shared (CGNAT) address"],
    ["http://100.127.255.255/", "cgnat", "a shared (CGNAT) address"],
    ["http://0.0.0.0/", "unspecified", "an unspecified address"],
    ["http://0/", "unspecified", "an unspecified address"],
    ["http://0.1.2.3/", "unspecified", "an unspecified address"],
    ["http://224.0.0.1/", "multicast", "a multicast address"],
    ["http://239.255.255.250/", "multicast", "a multicast address"],
    ["http://255.255.255.255/", "broadcast", "the broadcast address"],
    ["http://240.0.0.1/", "reserved", "a reserved address"],
    ["http://192.0.0.8/", "reserved", "a reserved address"],
    ["http://192.88.99.1/", "reserved", "a 6to4 relay address"],
    ["http://198.18.0.1/", "benchmark", "a benchmarking address"],
    ["http://198.19.255.255/", "benchmark", "a benchmarking address"],
    ["http://192.0.2.1/", "documentation", "a documentation address"],
    ["http://198.51.100.7/", "documentation", "a documentation address"],
    ["http://203.0.113.9/", "documentation", "a documentation address"],
    // IPv6
    ["http://[::1]/", "loopback", "a loopback address"],
    ["http://[0:0:0:0:0:0:0:1]/", "loopback", "a loopback address"],
    ["http://[::]/", "unspecified", "an unspecified address"],
    ["http://[fe80::1]/", "link-local", "a link-local address"],
    ["http://[febf::1]/", "link-local", "a link-local address"],
    ["http://[fc00::1]/", "unique-local", "a unique-local address"],
    ["http://[fd00::1]/", "unique-local", "a unique-local address"],
    ["http://[fd00:ec2::254]/", "unique-local", "the cloud metadata address"],
    ["http://[fec0::1]/", "private", "a site-local address"],
    ["http://[ff02::1]/", "multicast", "a multicast address"],
    ["http://[2001:2::1]/", "benchmark", "a benchmarking address"],
    ["http://[2001:db8::1]/", "documentation", "a documentation address"],
    ["http://[3fff::1]/", "documentation", "a documentation address"],
    ["http://[2001::1]/", "reserved", "a Teredo tunnel address"],
    ["http://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "reserved", "a Teredo tunnel address"],
    ["http://[2001:10::1]/", "reserved", "a reserved address"],
    ["http://[100::1]/", "reserved", "a discard-only address"],
    ["http://[5f00::1]/", "reserved", "a reserved address"],
    ["http://[4000::1]/", "reserved", "a reserved address"],
    ["http://[64:ff9b:1::1]/", "private", "a local-use NAT64 address"],
    // IPv6 forms that carry an IPv4 address: that address decides
    ["http://[::ffff:127.0.0.1]/", "loopback", "a loopback address (127.0.0.1, IPv4-mapped)"],
    ["http://[::ffff:7f00:1]/", "loopback", "a loopback address (127.0.0.1, IPv4-mapped)"],
    [
      "http://[::ffff:a9fe:a9fe]/",
      "link-local",
      "the cloud metadata address (169.254.169.254, IPv4-mapped)",
    ],
    ["http://[::127.0.0.1]/", "loopback", "a loopback address (127.0.0.1, IPv4-compatible)"],
    ["http://[::a00:1]/", "private", "a private address (10.0.0.1, IPv4-compatible)"],
    ["http://[::2]/", "unspecified", "an unspecified address (0.0.0.2, IPv4-compatible)"],
    ["http://[::ffff:0:a00:1]/", "private", "a private address (10.0.0.1, IPv4-translated)"],
    ["http://[64:ff9b::a00:1]/", "private", "a private address (10.0.0.1, NAT64)"],
    ["http://[64:ff9b::7f00:1]/", "loopback", "a loopback address (127.0.0.1, NAT64)"],
    ["http://[2002:a00:1::]/", "private", "a private address (10.0.0.1, 6to4)"],
    ["http://[2002:7f00:1::1]/", "loopback", "a loopback address (127.0.0.1, 6to4)"],
    // names
    ["http://localhost/", "loopback", "a loopback name"],
    ["http://LOCALHOST./", "loopback", "a loopback name"],
    ["http://api.localhost/", "loopback", "a loopback name"],
    ["http://metadata.google.internal/", "metadata-name", "a cloud metadata name"],
    ["http://metadata.google.internal./", "metadata-name", "a cloud metadata name"],
    ["http://metadata/", "metadata-name", "a cloud metadata name"],
    ["http://metadata.goog/", "metadata-name", "a cloud metadata name"],
    ["http://instance-data/", "metadata-name", "a cloud metadata name"],
    ["http://instance-data.ec2.internal/", "metadata-name", "a cloud metadata name"],
    ["http://metadata.platformequinix.com/", "metadata-name", "a cloud metadata name"],
    ["http://svc.internal/", "local-name", "a local network name (.internal)"],
    ["http://printer.local/", "local-name", "a local network name (.local)"],
    ["http://router.home.arpa/", "local-name", "a local network name (.home.arpa)"],
    ["http://nas.lan/", "local-name", "a local network name (.lan)"],
    ["http://intranet/", "local-name", "not a public host name"],
    // names that spell their own (forbidden) address, or always mean loopback
    ["https://127.0.0.1.nip.io/", "loopback", "a loopback address (the name spells it)"],
    [
      "https://169.254.169.254.nip.io/",
      "link-local",
      "the cloud metadata address (the name spells it)",
    ],
    ["https://app-10-0-0-5.sslip.io/", "private", "a private address (the name spells it)"],
    ["https://x.7f000001.nip.io/", "loopback", "a loopback address (the name spells it)"],
    ["https://a.localtest.me/", "loopback", "a loopback name"],
    ["https://lvh.me/", "loopback", "a loopback name"],
  ])("%s is %s", (url, kind, what) => {
    expect(classifyHost(hostOf(url)).forbidden).toEqual({ kind, what });
  });

  it.each([
    ["http://8.8.8.8/", "ipv4"],
    ["http://1.1.1.1/", "ipv4"],
    ["http://11.0.0.1/", "ipv4"],
    ["http://100.128.0.1/", "ipv4"],
    ["http://169.255.0.1/", "ipv4"],
    ["http://172.32.0.1/", "ipv4"],
    ["http://192.0.3.1/", "ipv4"],
    ["http://198.20.0.1/", "ipv4"],
    ["http://223.255.255.255/", "ipv4"],
    ["http://[2606:4700:4700::1111]/", "ipv6"],
    ["http://[2001:4860:4860::8888]/", "ipv6"],
    ["http://[::ffff:8.8.8.8]/", "ipv6"],
    ["http://[64:ff9b::808:808]/", "ipv6"],
    ["http://[2002:808:808::1]/", "ipv6"],
    ["https://example.com/", "name"],
    ["https://hooks.example.com./", "name"],
    // A name: what it resolves to decides.
    ["https://8.8.8.8.nip.io/", "name"],
    ["https://shop.nip.io/", "name"],
  ])("%s is allowed (%s)", (url, type) => {
    expect(classifyHost(hostOf(url))).toEqual({ type, forbidden: null });
  });

  it("classifies DNS answers in any text form", () => {
    expect(classifyHost("2606:4700:4700:0:0:0:0:1111").forbidden).toBeNull();
    expect(classifyHost("::ffff:10.0.0.1").forbidden?.kind).toBe("private");
    expect(classifyHost("FE80::1").forbidden?.kind).toBe("link-local");
    expect(classifyHost("10.0.0.5").forbidden?.kind).toBe("private");
    // Not an address at all: refused, never passed.
    expect(classifyHost("1:2:3").forbidden).toEqual({
      kind: "reserved",
      what: "not an IP address",
    });
  });

  it("parses addresses strictly", () => {
    expect(parseIPv4("192.168.0.1")).toBe(0xc0a80001);
    for (const bad of ["256.0.0.1", "1.2.3", "1.2.3.4.5", "a.b.c.d", ""]) {
      expect(parseIPv4(bad)).toBeNull();
    }
    expect(parseIPv6("::")).toEqual([0, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIPv6("1::")).toEqual([1, 0, 0, 0, 0, 0, 0, 0]);
    expect(parseIPv6("::ffff:1.2.3.4")).toEqual([0, 0, 0, 0, 0, 0xffff, 0x102, 0x304]);
    expect(parseIPv6("2001:db8:0:0:0:0:0:1")).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1]);
    for (const bad of [
      "1::2::3",
      "1:2:3:4:5:6:7",
      "1:2:3:4:5:6:7:8:9",
      "::g",
      ":1::",
      "::1.2.3.256",
    ]) {
      expect(parseIPv6(bad)).toBeNull();
    }
  });
});
