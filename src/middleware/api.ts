import { createMiddleware } from "hono/factory";
import { noteKeyUse } from "../api-keys/last-used";
import { Db } from "../db/database";
import type { AppEnv } from "../env";
import { matchedRoutePattern } from "../lib/matched-route";
import { rejectUnknownVersion, resolveVersion } from "../versions/resolve";
import { Outbox } from "../webhooks/enqueue";
import { authenticate } from "./auth";
import { guardBody, limitBodySize } from "./body-guard";
import { openSession, sendBookmark } from "./database";
import { claimOf, settleClaim } from "./idempotency";
import { enforceRateLimit } from "./rate-limit";
import { guardRoute } from "./route-guard";

/** Methods that never write: no event outbox, no Idempotency-Key. */
const READS = new Set(["GET", "HEAD"]);

/**
 * Everything an API request goes through before its handler, as one layer,
 * in this order (each step may answer instead): the API key (401), the API
 * version (the header, else the organization's pin), the key's rate limit
 * (429), a version we do not serve (400), the route (404, 405), the body's size
 * (413) and transport rules (415, 400), then the request's database: one D1
 * session, with the event outbox and the Idempotency-Key claim for a write.
 * After the handler: the claim is settled, the recorded events are queued
 * and the session's bookmark goes out. The key's use is noted whatever the
 * answer, once it authenticated.
 */
export function api(
  methodsFor: (path: string) => string[],
  takesNoBody: (method: string, pattern: string) => boolean,
) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const { auth, tenant } = await authenticate(c);
    try {
      await resolveVersion(c, tenant);
      await enforceRateLimit(c, auth);
      rejectUnknownVersion(c);
      const pattern = matchedRoutePattern(c);
      guardRoute(methodsFor, c.req.method, c.req.path, pattern);
      await limitBodySize(c);
      await guardBody(c, pattern, takesNoBody);
      const session = openSession(c);
      const writes = !READS.has(c.req.method);
      const outbox = writes ? new Outbox() : null;
      const claim = writes ? await claimOf(c, tenant) : null;
      c.set(
        "db",
        new Db(session, {
          request: { id: c.get("requestId"), idempotencyKey: claim?.request.key ?? null },
          ...(outbox ? { onEvents: outbox.add } : {}),
          ...(claim ? { claim } : {}),
        }),
      );
      await next();
      if (claim) await settleClaim(c, claim);
      outbox?.send(c);
      sendBookmark(c, session);
    } finally {
      noteKeyUse(c, auth.keyId, tenant);
    }
  });
}
