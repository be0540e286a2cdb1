/**
 * Which hosts may never receive webhooks, and why: a pure table of address
 * ranges and names, so a webhook cannot be aimed at the service's own
 * network, a cloud metadata service or a receiver that no one on the
 * internet can be.
 */

/** Only `loopback` may ever be let through (local development, test mode). */
export type ForbiddenKind =
  | "loopback"
  | "private"
  | "link-local"
  | "cgnat"
  | "unspecified"
  | "multicast"
  | "broadcast"
  | "reserved"
  | "benchmark"
  | "documentation"
  | "unique-local"
  | "local-name"
  | "metadata-name";

/** `what` ends a message: "10.0.0.5 is a private address". */
export type Forbidden = { kind: ForbiddenKind; what: string };

type HostClass = {
  type: "ipv4" | "ipv6" | "name";
  /** Null: a public address, or a name whose addresses decide. */
  forbidden: Forbidden | null;
};

const WORDS: Record<ForbiddenKind, string> = {
  loopback: "a loopback address",
  private: "a private address",
  "link-local": "a link-local address",
  cgnat: "a shared (CGNAT) address",
  unspecified: "an unspecified address",
  multicast: "a multicast address",
  broadcast: "the broadcast address",
  reserved: "a reserved address",
  benchmark: "a benchmarking address",
  documentation: "a documentation address",
  "unique-local": "a unique-local address",
  "local-name": "a local network name",
  "metadata-name": "a cloud metadata name",
};

const forbid = (kind: ForbiddenKind, what = WORDS[kind]): Forbidden => ({ kind, what });

/** A dotted quad (what the WHATWG parser makes of every IPv4 spelling) as a 32-bit number. */
export function parseIPv4(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    value = value * 256 + Number(part);
  }
  return value;
}

/** Eight 16-bit groups, from any text form (`::` compression, a dotted IPv4 tail). */
export function parseIPv6(text: string): number[] | null {
  let rest = text;
  const dotted = /:(\d+\.\d+\.\d+\.\d+)$/.exec(rest);
  if (dotted?.[1]) {
    const v4 = parseIPv4(dotted[1]);
    if (v4 === null) return null;
    const hex = (n: number) => n.toString(16);
    rest = `${rest.slice(0, dotted.index)}:${hex(Math.floor(v4 / 65536))}:${hex(v4 % 65536)}`;
  }
  const halves = rest.split("::");
  if (halves.length > 2) return null;
  const groupsOf = (half: string | undefined) =>
    half === undefined || half === "" ? [] : half.split(":");
  const head = groupsOf(halves[0]);
  const back = groupsOf(halves[1]);
  const words = [...head, ...back];
  if (!words.every((w) => /^[0-9a-f]{1,4}$/i.test(w))) return null;
  const missing = 8 - words.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  return [
    ...head.map((w) => Number.parseInt(w, 16)),
    ...Array<number>(halves.length === 2 ? missing : 0).fill(0),
    ...back.map((w) => Number.parseInt(w, 16)),
  ];
}

type V4Range = { base: number; bits: number; forbidden: Forbidden };

const v4 = (cidr: string, kind: ForbiddenKind, what?: string): V4Range => {
  const [address = "", bits = "32"] = cidr.split("/");
  return { base: parseIPv4(address) ?? 0, bits: Number(bits), forbidden: forbid(kind, what) };
};

/** The IANA special-purpose registry's ranges that are not globally reachable; first match wins. */
const V4_RANGES: V4Range[] = [
  v4("169.254.169.254/32", "link-local", "the cloud metadata address"),
  v4("255.255.255.255/32", "broadcast"),
  v4("0.0.0.0/8", "unspecified"),
  v4("10.0.0.0/8", "private"),
  v4("100.64.0.0/10", "cgnat"),
  v4("127.0.0.0/8", "loopback"),
  v4("169.254.0.0/16", "link-local"),
  v4("172.16.0.0/12", "private"),
  v4("192.0.0.0/24", "reserved"),
  v4("192.0.2.0/24", "documentation"),
  v4("192.88.99.0/24", "reserved", "a 6to4 relay address"),
  v4("192.168.0.0/16", "private"),
  v4("198.18.0.0/15", "benchmark"),
  v4("198.51.100.0/24", "documentation"),
  v4("203.0.113.0/24", "documentation"),
  v4("224.0.0.0/4", "multicast"),
  v4("240.0.0.0/4", "reserved"),
];

function classifyIPv4(address: number): Forbidden | null {
  for (const range of V4_RANGES) {
    const size = 2 ** (32 - range.bits);
    if (Math.floor(address / size) === Math.floor(range.base / size)) return range.forbidden;
  }
  return null;
}

type V6Range = { groups: number[]; bits: number; forbidden: Forbidden };

const v6 = (cidr: string, kind: ForbiddenKind, what?: string): V6Range => {
  const [address = "", bits = "128"] = cidr.split("/");
  return { groups: parseIPv6(address) ?? [], bits: Number(bits), forbidden: forbid(kind, what) };
};

function inPrefix(groups: number[], prefix: number[], bits: number): boolean {
  for (let i = 0; i < 8 && bits > i * 16; i++) {
    const take = Math.min(16, bits - i * 16);
    const shift = 16 - take;
    if ((groups[i] ?? 0) >> shift !== (prefix[i] ?? 0) >> shift) return false;
  }
  return true;
}

/** First match wins; the forms that carry an IPv4 address are handled before. */
const V6_RANGES: V6Range[] = [
  v6("64:ff9b:1::/48", "private", "a local-use NAT64 address"),
  v6("100::/64", "reserved", "a discard-only address"),
  // Teredo hides its client's address and goes through a relay we do not choose.
  v6("2001::/32", "reserved", "a Teredo tunnel address"),
  v6("2001:2::/48", "benchmark"),
  v6("2001:db8::/32", "documentation"),
  v6("2001::/23", "reserved"),
  v6("3fff::/20", "documentation"),
  v6("5f00::/16", "reserved"),
  v6("fd00:ec2::254/128", "unique-local", "the cloud metadata address"),
  v6("fc00::/7", "unique-local"),
  v6("fe80::/10", "link-local"),
  v6("fec0::/10", "private", "a site-local address"),
  v6("ff00::/8", "multicast"),
];
const GLOBAL_UNICAST = v6("2000::/3", "reserved");

/** The IPv4 address an IPv6 one stands for (mapped, compatible, translated, NAT64, 6to4). */
function embeddedIPv4(g: number[]): { address: number; form: string } | null {
  const at = (hi: number, lo: number) => (g[hi] ?? 0) * 65536 + (g[lo] ?? 0);
  const zero = (from: number, to: number) => g.slice(from, to).every((w) => w === 0);
  if (zero(0, 5) && g[5] === 0xffff) return { address: at(6, 7), form: "IPv4-mapped" };
  if (zero(0, 6)) return { address: at(6, 7), form: "IPv4-compatible" };
  if (zero(0, 4) && g[4] === 0xffff && g[5] === 0) {
    return { address: at(6, 7), form: "IPv4-translated" };
  }
  if (g[0] === 0x64 && g[1] === 0xff9b && zero(2, 6)) return { address: at(6, 7), form: "NAT64" };
  if (g[0] === 0x2002) return { address: at(1, 2), form: "6to4" };
  return null;
}

const quad = (n: number) => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join(".");

function classifyIPv6(groups: number[]): Forbidden | null {
  if (groups.every((w) => w === 0)) return forbid("unspecified");
  if (groups.slice(0, 7).every((w) => w === 0) && groups[7] === 1) return forbid("loopback");
  const embedded = embeddedIPv4(groups);
  if (embedded) {
    const inner = classifyIPv4(embedded.address);
    if (!inner) return null;
    return {
      kind: inner.kind,
      what: `${inner.what} (${quad(embedded.address)}, ${embedded.form})`,
    };
  }
  for (const range of V6_RANGES) {
    if (inPrefix(groups, range.groups, range.bits)) return range.forbidden;
  }
  return inPrefix(groups, GLOBAL_UNICAST.groups, GLOBAL_UNICAST.bits)
    ? null
    : GLOBAL_UNICAST.forbidden;
}

/**
 * Names that reach a cloud's metadata service from inside it. Names under a
 * local suffix (`metadata.google.internal`, `instance-data.ec2.internal`) are
 * refused anyway; these are listed so the message says what they are, and
 * Equinix's resolve to public addresses, so only the name gives them away.
 */
const METADATA_NAMES = new Set([
  "metadata",
  "metadata.goog",
  "metadata.google.internal",
  "instance-data",
  "instance-data.ec2.internal",
  "metadata.platformequinix.com",
  "metadata.packet.net",
  "metadata.tencentyun.com",
]);

/** Suffixes of names that only mean something inside a network (RFC 6762, 8375, ICANN's .internal). */
const LOCAL_SUFFIXES = ["local", "internal", "home.arpa", "lan", "localdomain"];

/**
 * Public DNS services whose names answer with the address they spell
 * (`10.0.0.5.nip.io`, `app-127-0-0-1.sslip.io`, `7f000001.nip.io`): the name
 * alone gives the address away, so it is refused without a lookup (which
 * `npm run dev`, offline, could not make).
 */
const SPELLED_ADDRESS_SUFFIXES = ["nip.io", "sslip.io", "xip.io", "traefik.me", "nip.direct"];
/** Public names that always answer 127.0.0.1. */
const LOOPBACK_NAMES = ["localtest.me", "lvh.me", "vcap.me", "localhost.direct"];

const under = (host: string, suffix: string) => host === suffix || host.endsWith(`.${suffix}`);

/** The IPv4 address the name spells before its wildcard suffix, if any. */
function spelledAddress(host: string): number | null {
  const suffix = SPELLED_ADDRESS_SUFFIXES.find((s) => host.endsWith(`.${s}`));
  if (!suffix) return null;
  const prefix = host.slice(0, -suffix.length - 1);
  const quad = prefix.match(/(?:^|[.-])(\d{1,3})[.-](\d{1,3})[.-](\d{1,3})[.-](\d{1,3})$/);
  if (quad) return parseIPv4(quad.slice(1).join("."));
  const hex = prefix.match(/(?:^|[.-])([0-9a-f]{8})$/);
  return hex?.[1] ? Number.parseInt(hex[1], 16) : null;
}

function classifyName(name: string): Forbidden | null {
  const host = name.toLowerCase().replace(/\.$/, "");
  if (under(host, "localhost") || LOOPBACK_NAMES.some((n) => under(host, n))) {
    return forbid("loopback", "a loopback name");
  }
  const spelled = spelledAddress(host);
  const spelledForbidden = spelled === null ? null : classifyIPv4(spelled);
  if (spelledForbidden) {
    return { ...spelledForbidden, what: `${spelledForbidden.what} (the name spells it)` };
  }
  if (METADATA_NAMES.has(host)) return forbid("metadata-name");
  const suffix = LOCAL_SUFFIXES.find((s) => host === s || host.endsWith(`.${s}`));
  if (suffix) return forbid("local-name", `${WORDS["local-name"]} (.${suffix})`);
  if (!host.includes(".")) return forbid("local-name", "not a public host name");
  return null;
}

/**
 * A host as the WHATWG URL parser leaves it (`0x7f.1` and `2130706433`
 * already `127.0.0.1`; IPv6 in brackets, compressed), or an address a DNS
 * answer gave (IPv6 without brackets, in any text form).
 */
export function classifyHost(host: string): HostClass {
  const ipv4 = parseIPv4(host.replace(/\.$/, ""));
  if (ipv4 !== null) return { type: "ipv4", forbidden: classifyIPv4(ipv4) };
  if (host.startsWith("[") || host.includes(":")) {
    const groups = parseIPv6(host.replace(/^\[(.*)\]$/, "$1"));
    return {
      type: "ipv6",
      forbidden: groups ? classifyIPv6(groups) : forbid("reserved", "not an IP address"),
    };
  }
  return { type: "name", forbidden: classifyName(host) };
}
