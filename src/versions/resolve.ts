import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { API_VERSIONS, type ApiVersion, CURRENT_VERSION, isApiVersion, pinKvKey } from "./ids";

export const VERSION_HEADER = "Commet-Version";

const sentVersion = (header: string | undefined) => {
  const value = header?.trim();
  return value === undefined || value === "" ? undefined : value;
};

/**
 * First of all: a request naming a version we serve is shaped by it from here
 * on, 401s included; anything else starts as the current version. Every
 * response says which version shaped it.
 */
export function versionHeader() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const sent = sentVersion(c.req.header(VERSION_HEADER));
    c.set("version", sent !== undefined && isApiVersion(sent) ? sent : CURRENT_VERSION);
    await next();
    c.res.headers.set(VERSION_HEADER, c.var.version);
  });
}

/** A warm isolate knows an organization's pin for this long (as it knows a key). */
export const PIN_CACHE_TTL_MS = 60_000;
const MAX_CACHED_PINS = 1000;
const pins = new Map<string, { version: ApiVersion | null; until: number }>();

export function clearPinCache() {
  pins.clear();
}

/** The organization's pinned version, or null: cached per isolate, so a warm request reads no KV. */
async function pinnedVersion(kv: KVNamespace, orgId: string): Promise<ApiVersion | null> {
  const now = Date.now();
  const hit = pins.get(orgId);
  if (hit && hit.until > now) return hit.version;
  const raw = await kv.get(pinKvKey(orgId), { cacheTtl: 30 });
  let version: ApiVersion | null = null;
  if (raw !== null && isApiVersion(raw.trim())) version = raw.trim() as ApiVersion;
  else if (raw !== null) {
    // A pin we cannot read must not break the organization: the current version, loudly.
    console.error(
      JSON.stringify({ level: "error", message: "unknown pinned API version", orgId, pin: raw }),
    );
  }
  if (pins.size >= MAX_CACHED_PINS) pins.delete(pins.keys().next().value as string);
  pins.set(orgId, { version, until: now + PIN_CACHE_TTL_MS });
  return version;
}

/**
 * After authentication: the header, else the organization's pin, else the
 * current version. A header naming a version we do not serve is a 400,
 * shaped as the current version.
 */
export function resolveVersion() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const sent = sentVersion(c.req.header(VERSION_HEADER));
    if (sent !== undefined && !isApiVersion(sent)) {
      throw ApiError.validation([
        { field: VERSION_HEADER, message: `must be one of ${API_VERSIONS.join(", ")}` },
      ]);
    }
    if (sent === undefined) {
      c.set(
        "version",
        (await pinnedVersion(c.env.API_KEYS, c.var.tenant.orgId)) ?? CURRENT_VERSION,
      );
    }
    await next();
  });
}
