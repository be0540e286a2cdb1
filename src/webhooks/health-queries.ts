import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/database";
import { webhookEndpoints as endpoints } from "../db/schema";
import { inTenant } from "../db/sql";
import { change, defineRead, defineWrite, param, tenantParams } from "../db/statements";
import type { EndpointTarget } from "../history/hand-off";
import type { Tenant } from "../tenant";
import { TEST_EVENT } from "./events";
import { subscribesTo } from "./outbox";
import { DEACTIVATE_AFTER_FAILURES, STREAK_GAP_MS } from "./schedule";

/**
 * What the delivery pipeline reads and writes of an endpoint in the catalog:
 * where to send (read just before each claim, so an attempt that waited goes
 * to the endpoint as it is now) and its health after each attempt.
 */

const thisEndpoint = and(
  eq(endpoints.id, param("endpointId")),
  inTenant(endpoints, tenantParams),
) as SQL;

const targetById = defineRead(
  {
    id: endpoints.id,
    url: endpoints.url,
    secret: endpoints.secret,
    apiVersion: endpoints.apiVersion,
  },
  (from) =>
    from()
      .from(endpoints)
      .where(
        and(
          thisEndpoint,
          // A test send (retried by hand) goes to any active endpoint.
          sql`(${subscribesTo(param("type"))} OR (${endpoints.isActive} = 1 AND ${param("type")} = ${TEST_EVENT}))`,
        ),
      ),
);

/**
 * The endpoint as it is now, if it still exists, is active and subscribes to
 * events of `type` (any active one for a test send); null once deleted,
 * deactivated or unsubscribed.
 */
export async function activeTarget(
  catalog: Db,
  tenant: Tenant,
  endpointId: string,
  type: string,
): Promise<EndpointTarget | null> {
  const [row] = await catalog.read(targetById, { ...tenant, endpointId, type });
  return row ?? null;
}

const successBatch = defineWrite({
  healthy: change((b) =>
    b
      .update(endpoints)
      .set({ failingSince: sql`NULL`, failedAttempts: sql`0` })
      .where(thisEndpoint),
  ),
});

/** This failure continues the endpoint's streak: its previous failure is recent enough. */
const streakGoesOn = sql`${endpoints.lastFailedAt} >= ${param("attemptedAt")} - ${param("streakGap")}`;

/**
 * A failure starts (or continues) the endpoint's run of failures; one more
 * than STREAK_GAP_MS after the previous failure starts a new run. A run that
 * has lasted DEACTIVATE_AFTER_MS (checked before this failure is counted)
 * and has, with this one, `minFailures` failures in a row deactivates it;
 * `deactivated` says whether this attempt switched it off.
 */
const failureBatch = defineWrite({
  deactivated: change((b) =>
    b
      .update(endpoints)
      .set({ isActive: false, updatedAt: param("attemptedAt") })
      .where(
        and(
          thisEndpoint,
          eq(endpoints.isActive, true),
          streakGoesOn,
          sql`${endpoints.failingSince} <= ${param("failingBefore")}`,
          sql`${endpoints.failedAttempts} + 1 >= ${param("minFailures")}`,
        ),
      ),
  ),
  failing: change((b) =>
    b
      .update(endpoints)
      .set({
        failingSince: sql`CASE WHEN ${streakGoesOn} THEN COALESCE(${endpoints.failingSince}, ${param("attemptedAt")}) ELSE ${param("attemptedAt")} END`,
        failedAttempts: sql`CASE WHEN ${streakGoesOn} THEN ${endpoints.failedAttempts} + 1 ELSE 1 END`,
        lastFailedAt: param("attemptedAt"),
      })
      .where(thisEndpoint),
  ),
});

/**
 * The endpoint's health after an attempt it answered (or failed to): a
 * success clears its run of failures, a failure extends it and may
 * deactivate it; says whether this attempt did.
 */
export async function recordHealth(
  catalog: Db,
  tenant: Tenant,
  outcome: { endpointId: string; ok: boolean; attemptedAt: number; failingBefore: number },
): Promise<{ deactivated: boolean }> {
  const values = {
    ...tenant,
    endpointId: outcome.endpointId,
    attemptedAt: outcome.attemptedAt,
    failingBefore: outcome.failingBefore,
    minFailures: DEACTIVATE_AFTER_FAILURES,
    streakGap: STREAK_GAP_MS,
  };
  if (outcome.ok) {
    await catalog.write(successBatch, values);
    return { deactivated: false };
  }
  const { deactivated } = await catalog.write(failureBatch, values);
  return { deactivated: deactivated > 0 };
}
