import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/database";
import { newestFirst } from "../db/pages";
import { webhookEndpoints as endpoints } from "../db/schema";
import { inTenant, noTable, patchOf, valuesWhere } from "../db/sql";
import { change, defineRead, defineWrite, param, select, tenantParams } from "../db/statements";
import type { Tenant } from "../tenant";
import type { WebhookRecord } from "./record";

/** Endpoints one organization and mode may have. */
export const MAX_ENDPOINTS = 16;

const columns = {
  id: endpoints.id,
  url: endpoints.url,
  events: endpoints.events,
  description: endpoints.description,
  isActive: endpoints.isActive,
  apiVersion: endpoints.apiVersion,
  createdAt: endpoints.createdAt,
};

/** An endpoint with its signing secret (encrypted), for sending to it. */
type EndpointWithSecret = WebhookRecord & { secret: string };

const endpointId = param<string>("id");
const thisEndpoint = and(eq(endpoints.id, endpointId), inTenant(endpoints, tenantParams)) as SQL;
const count = sql<number>`(SELECT count(*) FROM ${endpoints} WHERE ${inTenant(endpoints, tenantParams)})`;
const hasRoom = sql`${count} < ${MAX_ENDPOINTS}`;

const byId = defineRead(columns, (from) => from().from(endpoints).where(thisEndpoint));

export async function findEndpoint(db: Db, tenant: Tenant, id: string) {
  const [row] = await db.read(byId, { ...tenant, id });
  return row ?? null;
}

const withSecret = defineRead({ ...columns, secret: endpoints.secret }, (from) =>
  from().from(endpoints).where(thisEndpoint),
);

export async function findEndpointWithSecret(
  db: Db,
  tenant: Tenant,
  id: string,
): Promise<EndpointWithSecret | null> {
  const [row] = await db.read(withSecret, { ...tenant, id });
  return row ?? null;
}

/** Newest first, a page at a time. */
export const listEndpoints = newestFirst(endpoints, columns) as (
  db: Db,
  tenant: Tenant,
  page: { after: string | null; limit: number },
) => Promise<WebhookRecord[]>;

const insertBatch = defineWrite(
  {
    insert: change((b) =>
      b.insert(endpoints).select(
        valuesWhere(
          endpoints,
          {
            id: endpointId,
            orgId: tenantParams.orgId,
            mode: tenantParams.mode,
            url: param("url"),
            events: param("events"),
            description: param("description"),
            isActive: sql`1`,
            apiVersion: param("apiVersion"),
            secret: param("secret"),
            createdAt: param("now"),
            updatedAt: param("now"),
          },
          hasRoom,
        ),
      ),
    ),
    state: select({ count }, (from) => from().from(noTable)),
  },
  { precondition: () => hasRoom },
);

type NewEndpoint = Omit<WebhookRecord, "isActive" | "createdAt"> & {
  /** Already encrypted. */
  secret: string;
};

/** False when the organization and mode already have MAX_ENDPOINTS endpoints. */
export async function insertEndpoint(
  db: Db,
  tenant: Tenant,
  endpoint: NewEndpoint,
  now: number,
  response?: { status: number; body: string },
): Promise<boolean> {
  const { insert } = await db.write(
    insertBatch,
    { ...tenant, ...endpoint, events: JSON.stringify(endpoint.events), now },
    { resourceId: endpoint.id, ...(response ? { response } : {}) },
  );
  return insert > 0;
}

const patch = patchOf(endpoints, ["url", "events", "description", "isActive", "apiVersion"]);

/** Before the UPDATE (SET reads the old row): the patch switches an inactive endpoint on. */
const reactivated = sql`(${param("set_isActive")} AND ${param("isActive")} AND NOT ${endpoints.isActive})`;

const updateBatch = defineWrite(
  {
    update: change((b) =>
      b
        .update(endpoints)
        .set({
          ...patch.set,
          // Reactivated (inactive, now active), an endpoint starts a new
          // record of failures; `isActive: true` sent to an active one, as a
          // PUT does, leaves its streak running.
          failingSince: sql`CASE WHEN ${reactivated} THEN NULL ELSE ${endpoints.failingSince} END`,
          failedAttempts: sql`CASE WHEN ${reactivated} THEN 0 ELSE ${endpoints.failedAttempts} END`,
        })
        .where(thisEndpoint),
    ),
    row: select(columns, (from) => from().from(endpoints).where(thisEndpoint)),
  },
  { precondition: () => sql`EXISTS (SELECT 1 FROM ${endpoints} WHERE ${thisEndpoint})` },
);

type EndpointPatch = {
  url?: string;
  events?: string[];
  description?: string | null;
  isActive?: boolean;
  apiVersion?: string | null;
};

export async function updateEndpoint(
  db: Db,
  tenant: Tenant,
  id: string,
  changes: EndpointPatch,
  now: number,
): Promise<WebhookRecord | null> {
  if (Object.values(changes).every((v) => v === undefined)) return findEndpoint(db, tenant, id);
  const { row } = await db.write(updateBatch, { ...tenant, id, now, ...patch.values(changes) });
  return row[0] ?? null;
}

const deleteBatch = defineWrite({ remove: change((b) => b.delete(endpoints).where(thisEndpoint)) });

/** Deletes the endpoint; deliveries still pending for it are dropped when their turn comes. */
export async function deleteEndpoint(db: Db, tenant: Tenant, id: string) {
  const { remove } = await db.write(deleteBatch, { ...tenant, id });
  return remove > 0;
}

/**
 * The endpoint with its secret, read by a write that changes nothing (it
 * sets a column to itself): the first write of a request that acts on
 * history (test send, retry, recover), so a request's Idempotency-Key is
 * claimed here, in the catalog, only while the endpoint exists.
 */
const claimBatch = defineWrite(
  {
    touch: change((b) =>
      b
        .update(endpoints)
        .set({ updatedAt: sql`${endpoints.updatedAt}` })
        .where(thisEndpoint),
    ),
    row: select({ ...columns, secret: endpoints.secret }, (from) =>
      from().from(endpoints).where(thisEndpoint),
    ),
  },
  { precondition: () => sql`EXISTS (SELECT 1 FROM ${endpoints} WHERE ${thisEndpoint})` },
);

/** The endpoint (null if unknown), read in the request's first write; see claimBatch. */
export async function claimEndpoint(
  db: Db,
  tenant: Tenant,
  id: string,
  resourceId?: string,
): Promise<EndpointWithSecret | null> {
  const { row } = await db.write(claimBatch, { ...tenant, id }, resourceId ? { resourceId } : {});
  return row[0] ?? null;
}
