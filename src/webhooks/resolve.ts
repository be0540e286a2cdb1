import { BoundedCache } from "../lib/bounded-cache";
import { logLine } from "../lib/log";
import { parseIPv4, parseIPv6 } from "./address";

/**
 * A and AAAA lookups of webhook hosts over DNS over HTTPS: Workers have no
 * resolver of their own, and `fetch` never says which address it connected to.
 */

export type Lookup =
  | { status: "found"; addresses: string[] }
  /** The name does not exist or has neither record: the endpoint's own doing. */
  | { status: "none" }
  /**
   * The resolver answered SERVFAIL: the name's own servers failed or its
   * DNSSEC does not validate (a broken zone), or, more rarely, the resolver
   * itself. Neither side's for sure.
   */
  | { status: "servfail" }
  /** The DoH service failed (no answer, an HTTP error) or answered nonsense: ours. */
  | { status: "failed" };

export type Resolver = (name: string) => Promise<Lookup>;

export const DEFAULT_DOH_URL = "https://cloudflare-dns.com/dns-query";
/** However long a record says, an answer is kept at most this long. */
const MAX_TTL_S = 300;
/** A name with no address may get one: a negative answer is kept at most this long. */
const MAX_NEGATIVE_TTL_S = 60;
const MAX_ENTRIES = 1000;
const TIMEOUT_MS = 2000;

const RECORD_TYPES = { A: 1, AAAA: 28 } as const;
type RecordType = keyof typeof RECORD_TYPES;

/** An answer, SERVFAIL, or null when the service failed or its answer cannot be trusted. */
type Answer = { addresses: string[]; ttl: number } | "servfail" | null;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

const ttlOf = (v: unknown) => (typeof v === "number" && v >= 0 ? v : 0);

/**
 * The addresses of one DoH JSON answer (RFC 8427-like, as Cloudflare and
 * Google serve it), or null when it cannot be trusted (fail closed).
 */
export function parseDohAnswer(body: unknown, type: RecordType): Answer {
  if (!isRecord(body) || typeof body.Status !== "number") return null;
  // NXDOMAIN: no such name. SERVFAIL: the name's servers (or the resolver) failed.
  if (body.Status === 3) return { addresses: [], ttl: negativeTtl(body) };
  if (body.Status === 2) return "servfail";
  // Any other non-zero status (FORMERR, NOTIMP, REFUSED...) is the resolver's failure.
  if (body.Status !== 0) return null;
  const records = body.Answer === undefined ? [] : body.Answer;
  if (!Array.isArray(records)) return null;
  const addresses: string[] = [];
  let ttl = MAX_TTL_S;
  for (const record of records) {
    if (!isRecord(record)) return null;
    // CNAMEs on the way come first; only the asked type's records are addresses.
    if (record.type !== RECORD_TYPES[type]) continue;
    const data = typeof record.data === "string" ? record.data : "";
    const valid = type === "A" ? parseIPv4(data) !== null : parseIPv6(data) !== null;
    if (!valid) return null;
    addresses.push(data);
    ttl = Math.min(ttl, ttlOf(record.TTL));
  }
  return addresses.length ? { addresses, ttl } : { addresses, ttl: negativeTtl(body) };
}

function negativeTtl(body: Record<string, unknown>): number {
  const soa = Array.isArray(body.Authority) ? body.Authority.find(isRecord) : undefined;
  return Math.min(MAX_NEGATIVE_TTL_S, soa ? ttlOf(soa.TTL) : MAX_NEGATIVE_TTL_S);
}

type Options = { fetch: typeof fetch; url: string; now?: () => number; maxEntries?: number };

/**
 * A resolver asking `url` with `fetch`, A and AAAA in parallel, caching each
 * answer for its TTL (at most 5 minutes; a negative one at most 1) in a
 * bounded map, per isolate; a failure is not kept.
 */
export function dohResolver(options: Options): Resolver {
  const now = options.now ?? Date.now;
  const maxEntries = options.maxEntries ?? MAX_ENTRIES;
  // Answers, never promises: a promise one request's I/O settles must not be awaited by another.
  const cache = new BoundedCache<Lookup>(maxEntries);

  async function ask(name: string, type: RecordType): Promise<Answer> {
    const url = `${options.url}?name=${encodeURIComponent(name)}&type=${type}`;
    try {
      const res = await options.fetch(url, {
        headers: { accept: "application/dns-json" },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      const answer = res.ok ? parseDohAnswer(await res.json(), type) : null;
      if (!answer || answer === "servfail") {
        const servfail = answer === "servfail" ? { rcode: "SERVFAIL" } : {};
        logLine("warn", "webhook host lookup failed", { type, status: res.status, ...servfail });
      }
      return answer;
    } catch (err) {
      logLine("warn", "webhook host lookup failed", { type }, err);
      return null;
    }
  }

  async function lookUp(name: string): Promise<{ lookup: Lookup; ttl: number }> {
    const [a, aaaa] = await Promise.all([ask(name, "A"), ask(name, "AAAA")]);
    // Half an answer is none: the missing half could be the forbidden one.
    // The service's failure decides over a SERVFAIL: then nothing says the name is at fault.
    if (!a || !aaaa) return { lookup: { status: "failed" }, ttl: 0 };
    if (a === "servfail" || aaaa === "servfail") return { lookup: { status: "servfail" }, ttl: 0 };
    const addresses = [...a.addresses, ...aaaa.addresses];
    const ttl = Math.min(a.ttl, aaaa.ttl);
    return { lookup: addresses.length ? { status: "found", addresses } : { status: "none" }, ttl };
  }

  return async (host) => {
    const name = host.toLowerCase().replace(/\.$/, "");
    const cached = cache.get(name, now());
    if (cached) return cached;
    const { lookup, ttl } = await lookUp(name);
    if (lookup.status === "found" || lookup.status === "none") {
      cache.set(name, lookup, now() + ttl * 1000);
    }
    return lookup;
  };
}

let installed: Resolver | null = null;
const resolvers = new Map<string, Resolver>();

/** Replaces every lookup (tests install one that never reaches the network); null restores DoH. */
export function installResolver(resolver: Resolver | null) {
  installed = resolver;
}

/** The isolate's resolver for the DoH service at `url` (default: Cloudflare's). */
export function resolverFor(url: string | undefined): Resolver {
  if (installed) return installed;
  const at = url || DEFAULT_DOH_URL;
  let resolver = resolvers.get(at);
  if (!resolver) {
    // Looked up at each call: `fetch` is the global of the moment, not of the import.
    resolver = dohResolver({ fetch: (input, init) => fetch(input, init), url: at });
    resolvers.set(at, resolver);
  }
  return resolver;
}
