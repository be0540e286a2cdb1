import type { Mode } from "../tenant";

/** An IPv4 dotted quad, or any IPv6 literal (in a URL always in brackets). */
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
const isIpLiteral = (host: string) => IPV4.test(host) || host.startsWith("[");

/**
 * What is wrong with `raw` as a webhook URL for `mode`, or null. Live
 * endpoints must be `https` on a host name; test endpoints may also be local
 * receivers (`http`, `localhost`, IP literals).
 */
export function webhookUrlProblem(raw: string, mode: Mode): string | null {
  if (raw.length > 2048) return "must be at most 2048 characters";
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return "must be an absolute http or https URL";
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    return "must be an http or https URL";
  }
  if (url.username || url.password) return "must not contain a user name or password";
  if (mode === "test") return null;
  if (url.protocol !== "https:") return "must use https in live mode";
  const host = url.hostname.toLowerCase();
  if (host === "localhost" || host.endsWith(".localhost")) {
    return "must not be localhost in live mode";
  }
  if (isIpLiteral(host)) return "must use a host name, not an IP address, in live mode";
  if (!host.includes(".")) return "must use a public host name in live mode";
  return null;
}
