import type { Mode } from "../env";

/** API.md, Webhooks: the longest endpoint URL accepted. */
export const MAX_URL_LENGTH = 2048;

export type UrlCheck = { ok: true } | { ok: false; reason: string };

const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * Whether `url` may receive webhooks in `mode`; the reason says why not, in
 * the words of a validation message (`url: <reason>`). Live endpoints need
 * `https` and a public host name; test endpoints may also be `http`,
 * `localhost` or an IP address, for receivers on a developer's machine.
 * The WHATWG parser turns `0x7f.1` or `2130706433` into `127.0.0.1` before
 * we look, so every spelling of an IP address is caught.
 */
export function checkWebhookUrl(url: string, mode: Mode): UrlCheck {
  if (url.length > MAX_URL_LENGTH) {
    return { ok: false, reason: `must be at most ${MAX_URL_LENGTH} characters` };
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: "must be an absolute http or https URL" };
  }
  const live = mode === "live";
  if (parsed.protocol !== "https:" && (live || parsed.protocol !== "http:")) {
    return { ok: false, reason: live ? "must use https" : "must use http or https" };
  }
  if (parsed.username !== "" || parsed.password !== "") {
    return { ok: false, reason: "must not contain a user name or password" };
  }
  if (!live) return { ok: true };
  const host = parsed.hostname.replace(/\.$/, "").toLowerCase();
  if (host.startsWith("[") || IPV4.test(host)) {
    return { ok: false, reason: "must use a host name, not an IP address, in live mode" };
  }
  if (host === "localhost" || host.endsWith(".localhost")) {
    return { ok: false, reason: "must not be localhost in live mode" };
  }
  if (!host.includes(".")) {
    return { ok: false, reason: "must use a public host name in live mode" };
  }
  return { ok: true };
}
