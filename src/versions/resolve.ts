import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { ApiError } from "../errors";
import { API_VERSIONS, CURRENT_VERSION, isApiVersion } from "./ids";
import { pinnedVersion } from "./pins";

const VERSION_HEADER = "Commet-Version";

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
