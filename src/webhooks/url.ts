import type { Bindings, Mode } from "../env";
import { classifyHost, type Forbidden } from "./address";
import { type Resolver, resolverFor } from "./resolve";

/** API.md, Webhooks: the longest endpoint URL accepted. */
export const MAX_URL_LENGTH = 2048;

export type UrlPolicy = {
  mode: Mode;
  /** Lets loopback receivers through in test mode (`WEBHOOK_ALLOW_LOOPBACK`, local development). */
  allowLoopback: boolean;
  resolve: Resolver;
};

type UrlCheck =
  /** `lookup`: the host name whose addresses still decide, or null (an address, or allowed loopback). */
  { ok: true; lookup: string | null } | { ok: false; reason: string };

/**
 * Whose failure a refused POST is: `endpoint`, its URL or its DNS (counted
 * toward its deactivation, given up after the retry window); `service`, the
 * lookup service failed (not counted, never given up: the service's own
 * failure, retried until it is fixed); `unclear`, a SERVFAIL, which a
 * broken zone gives as well as a failing resolver (not counted, but given up
 * after the retry window, so a zone broken for good does not keep it forever).
 */
export type Fault = "endpoint" | "service" | "unclear";

type Vetting = { ok: true } | { ok: false; reason: string; fault: Fault };

export function urlPolicy(env: Bindings, mode: Mode): UrlPolicy {
  return {
    mode,
    allowLoopback: env.WEBHOOK_ALLOW_LOOPBACK === "true",
    resolve: resolverFor(env.WEBHOOK_DOH_URL),
  };
}

/**
 * The local allowance takes loopback addresses and the name `localhost`
 * only: another name that spells or means loopback (`app.localhost`,
 * `127.0.0.1.nip.io`) would be resolved again by whoever connects.
 */
const refused = (
  forbidden: Forbidden | null,
  policy: Pick<UrlPolicy, "mode" | "allowLoopback">,
  host: string,
) =>
  forbidden !== null &&
  !(
    forbidden.kind === "loopback" &&
    policy.mode === "test" &&
    policy.allowLoopback &&
    (classifyHost(host).type !== "name" || host.toLowerCase() === "localhost")
  );

/**
 * What `url` is, before any lookup; the reason says why not, in the words of
 * a validation message (`url: <reason>`). Live endpoints need `https` on the
 * default port and a host name; test endpoints may also be `http`, on any
 * port, or a public IP address. The WHATWG parser turns `0x7f.1` or
 * `2130706433` into `127.0.0.1` before we look, so every spelling of an
 * address meets the same table (./address.ts).
 */
export function checkWebhookUrl(
  url: string,
  policy: Pick<UrlPolicy, "mode" | "allowLoopback">,
): UrlCheck {
  if (url.length > MAX_URL_LENGTH) {
    return { ok: false, reason: `must be at most ${MAX_URL_LENGTH} characters` };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: "must be an absolute http or https URL" };
  }
  const live = policy.mode === "live";
  if (parsed.protocol !== "https:" && (live || parsed.protocol !== "http:")) {
    return { ok: false, reason: live ? "must use https" : "must use http or https" };
  }
  if (parsed.username !== "" || parsed.password !== "") {
    return { ok: false, reason: "must not contain a user name or password" };
  }
  const host = parsed.hostname.replace(/\.$/, "");
  const { type, forbidden } = classifyHost(host);
  if (live && type !== "name") {
    return { ok: false, reason: "must use a host name, not an IP address, in live mode" };
  }
  if (live && parsed.port !== "") {
    return { ok: false, reason: "must use the default https port in live mode" };
  }
  if (refused(forbidden, policy, host))
    return { ok: false, reason: `${host} is ${forbidden?.what}` };
  return { ok: true, lookup: type === "name" && forbidden === null ? host : null };
}

/**
 * The one gate of a webhook target, at registration (create, update) and
 * before every POST (`send`): the URL's own rules, then every address its
 * host name resolves to. A lookup that fails or finds nothing does not stop
 * a registration (the name may not exist yet; `npm run dev` is offline) but
 * stops a POST: fail closed.
 */
export async function vetWebhookUrl(
  url: string,
  policy: UrlPolicy,
  stage: "register" | "send",
): Promise<Vetting> {
  const check = checkWebhookUrl(url, policy);
  if (!check.ok) return { ok: false, reason: check.reason, fault: "endpoint" };
  if (check.lookup === null) return { ok: true };
  const found = await policy.resolve(check.lookup);
  if (found.status === "found") {
    for (const address of found.addresses) {
      const { forbidden } = classifyHost(address);
      if (refused(forbidden, policy, address)) {
        return {
          ok: false,
          reason: `resolves to ${address}, ${forbidden?.what}`,
          fault: "endpoint",
        };
      }
    }
    return { ok: true };
  }
  if (stage === "register") return { ok: true };
  switch (found.status) {
    case "none":
      return { ok: false, reason: `${check.lookup} has no address (A or AAAA)`, fault: "endpoint" };
    case "servfail":
      return {
        ok: false,
        reason: "the lookup of its address failed: its DNS answers SERVFAIL",
        fault: "unclear",
      };
    default:
      return { ok: false, reason: "the lookup of its address failed", fault: "service" };
  }
}

/**
 * Before each POST: why this one must not be sent (as the attempt's error),
 * and whose failure that is (`Fault`), or null. A forbidden or missing
 * address is the endpoint's failure; a lookup service that failed is ours.
 */
export async function refuseToSend(
  env: Bindings,
  url: string,
  mode: Mode,
): Promise<{ error: string; fault: Fault } | null> {
  const vetted = await vetWebhookUrl(url, urlPolicy(env, mode), "send");
  if (vetted.ok) return null;
  return { error: `not sent: url: ${vetted.reason}`, fault: vetted.fault };
}
