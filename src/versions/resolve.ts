import type { Context } from "hono";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import type { Tenant } from "../tenant";
import { API_VERSIONS, type ApiVersion, CURRENT_VERSION, isApiVersion } from "./ids";
import { pinnedVersion } from "./pins";

export const VERSION_HEADER = "Commet-Version";

const sentVersion = (header: string | undefined) => {
  const value = header?.trim();
  return value === undefined || value === "" ? undefined : value;
};

/**
 * First of all (src/middleware/edge.ts): a request naming a version we serve
 * is shaped by it from here on, 401s included; anything else starts as the
 * current version. Every response says which version shaped it.
 */
export function requestedVersion(c: Context<AppEnv>): ApiVersion {
  const sent = sentVersion(c.req.header(VERSION_HEADER));
  return sent !== undefined && isApiVersion(sent) ? sent : CURRENT_VERSION;
}

/**
 * After authentication: the header, else the organization's pin, else the
 * current version. Before the rate limit, so a 429 is shaped by the version
 * the caller gets on every other answer.
 */
export async function resolveVersion(c: Context<AppEnv>, tenant: Tenant): Promise<void> {
  if (sentVersion(c.req.header(VERSION_HEADER)) === undefined) {
    c.set("version", (await pinnedVersion(c.env.API_KEYS, tenant.orgId)) ?? CURRENT_VERSION);
  }
}

/**
 * A header naming a version we do not serve is a 400, shaped as the current
 * version (requestedVersion left it there). After the rate limit, so such
 * requests count against the key's allowance like any other.
 */
export function rejectUnknownVersion(c: Context<AppEnv>): void {
  const sent = sentVersion(c.req.header(VERSION_HEADER));
  if (sent !== undefined && !isApiVersion(sent)) {
    throw ApiError.validation([
      { field: VERSION_HEADER, message: `must be one of ${API_VERSIONS.join(", ")}` },
    ]);
  }
}
