import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";

const INBOUND = /^[A-Za-z0-9._-]{1,128}$/;

function newRequestId(): string {
  return `req_${crypto.randomUUID().replace(/-/g, "")}`;
}

/** Echo a well-formed inbound x-request-id, otherwise mint one; on every response. */
export function requestId() {
  return createMiddleware<AppEnv>(async (c, next) => {
    const inbound = c.req.header("x-request-id");
    const id = inbound && INBOUND.test(inbound) ? inbound : newRequestId();
    c.set("requestId", id);
    await next();
    c.res.headers.set("x-request-id", id);
  });
}
