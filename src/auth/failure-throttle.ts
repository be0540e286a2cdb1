import type { Bindings } from "../env";
import { allowanceFrom, rateLimited, secondsToReset, underLimit } from "../lib/rate-limiter";

const MESSAGE = "Too many failed authentications from this address. Retry after the window resets.";
const MAX_BLOCKED = 1000;

/**
 * Addresses this isolate saw go over the limit, until their window ends: their
 * further attempts are refused before any hashing or KV read, so guessing
 * stays cheap for us once it is throttled.
 */
const blocked = new Map<string, number>();

/**
 * The address failures are counted by: an IPv4 address as is, an IPv6
 * address by its /64, the block one subscriber usually gets (counting single
 * IPv6 addresses would hand out 2^64 allowances).
 */
export function clientBucket(address: string): string {
  if (!address.includes(":") || address.includes(".")) return address;
  const [head = "", tail] = address.toLowerCase().split("::");
  const left = head ? head.split(":") : [];
  const right = tail ? tail.split(":") : [];
  const groups = [
    ...left,
    ...Array(Math.max(0, 8 - left.length - right.length)).fill("0"),
    ...right,
  ];
  return `${groups
    .slice(0, 4)
    .map((g) => g.replace(/^0+(?=.)/, ""))
    .join(":")}::/64`;
}

function allowance(env: Bindings) {
  return allowanceFrom(env.AUTH_FAILURE_LIMIT, env.AUTH_FAILURE_PERIOD_SECONDS, {
    limit: 100,
    period: 60,
  });
}

/** Throws the 429 while this isolate knows the address is over its failure allowance. */
export function refuseIfBlocked(env: Bindings, address: string | undefined, now = Date.now()) {
  if (!address) return;
  const bucket = clientBucket(address);
  const until = blocked.get(bucket);
  if (until === undefined) return;
  if (until > now) throw rateLimited(allowance(env), now, MESSAGE);
  blocked.delete(bucket);
}

/**
 * Counts one failed authentication against the address; throws the 429 once
 * the address is over its allowance. Without `CF-Connecting-IP` (a request
 * that did not come through Cloudflare's edge, such as a local test) there is
 * no address to count by.
 */
export async function countFailure(
  env: Bindings,
  address: string | undefined,
  requestId: string,
  now = Date.now(),
) {
  if (!address) return;
  const bucket = clientBucket(address);
  if (await underLimit(env.AUTH_FAILURE_LIMITER, bucket, requestId)) return;
  const current = allowance(env);
  if (blocked.size >= MAX_BLOCKED) {
    const oldest = blocked.keys().next().value;
    if (oldest !== undefined) blocked.delete(oldest);
  }
  blocked.set(bucket, now + secondsToReset(current.period, now) * 1000);
  throw rateLimited(current, now, MESSAGE);
}
