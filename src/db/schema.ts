import { sql } from "drizzle-orm";
import {
  type AnySQLiteColumn,
  index,
  integer,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";
import { KEY_TIERS } from "../lib/api-keys";
import { MODES } from "../tenant";

// Timestamps are epoch milliseconds; the API renders them as ISO 8601.
const timestamps = {
  createdAt: integer("created_at").notNull(),
  updatedAt: integer("updated_at").notNull(),
};

export const planGroups = sqliteTable(
  "plan_groups",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    mode: text("mode", { enum: MODES }).notNull(),
    name: text("name").notNull(),
    description: text("description"),
    isPublic: integer("is_public", { mode: "boolean" }).notNull(),
    ...timestamps,
  },
  // IDs are time-sortable, so (tenant, id) serves "newest first" pagination.
  (t) => [index("plan_groups_tenant_id_idx").on(t.orgId, t.mode, t.id)],
);

export const plans = sqliteTable(
  "plans",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    mode: text("mode", { enum: MODES }).notNull(),
    code: text("code").notNull(),
    name: text("name").notNull(),
    description: text("description"),
    consumptionModel: text("consumption_model", { enum: ["metered", "credits", "balance"] }),
    isPublic: integer("is_public", { mode: "boolean" }).notNull(),
    isFree: integer("is_free", { mode: "boolean" }).notNull(),
    blockOnExhaustion: integer("block_on_exhaustion", { mode: "boolean" }),
    metadata: text("metadata", { mode: "json" }).$type<Record<string, unknown>>(),
    planGroupId: text("plan_group_id").references((): AnySQLiteColumn => planGroups.id),
    // Position inside the group; 0 when ungrouped. Writes that shift positions
    // park rows at negative values first (see plan-groups/queries.ts), because
    // SQLite checks the unique index row by row, not at the end of a statement.
    sortOrder: integer("sort_order").notNull().default(0),
    ...timestamps,
    deletedAt: integer("deleted_at"),
  },
  (t) => [
    uniqueIndex("plans_live_code_uq")
      .on(t.orgId, t.mode, t.code)
      .where(sql`${t.deletedAt} IS NULL`),
    // The group first, for the foreign key check when a group is deleted; then
    // the tenant, because every membership statement filters on it too and,
    // without statistics, SQLite picks the index matching the most equality
    // terms: (plan_group_id, sort_order) lost to plans_tenant_id_idx, and every
    // membership write read all of the tenant's plans.
    uniqueIndex("plans_group_position_uq")
      .on(t.planGroupId, t.orgId, t.mode, t.sortOrder)
      .where(sql`${t.planGroupId} IS NOT NULL`),
    index("plans_tenant_id_idx").on(t.orgId, t.mode, t.id),
    // Only rows parked mid-transaction are negative, so this index stays empty
    // at rest and makes the "put parked rows back" statements cheap.
    index("plans_parked_idx").on(t.sortOrder).where(sql`${t.sortOrder} < 0`),
  ],
);

/**
 * One row per Idempotency-Key of a tenant. The claim is inserted by the
 * request's write batch, only when the write applies, so a claim proves its
 * write; `status_code` stays NULL until the response is stored after it, and
 * `finished_at` says the first attempt is over (with or without a response).
 */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    orgId: text("org_id").notNull(),
    mode: text("mode", { enum: MODES }).notNull(),
    key: text("key").notNull(),
    method: text("method").notNull(),
    path: text("path").notNull(),
    bodyHash: text("body_hash").notNull(),
    statusCode: integer("status_code"),
    responseBody: text("response_body"),
    createdAt: integer("created_at").notNull(),
    // Random per attempt: tells this attempt's claim from any other.
    claimId: text("claim_id"),
    // The API version of the first attempt: replays and rebuilds are shaped by it.
    version: text("version"),
    // The object a create made, so its answer can be rebuilt.
    resourceId: text("resource_id"),
    finishedAt: integer("finished_at"),
  },
  (t) => [
    uniqueIndex("idempotency_keys_key_uq").on(t.orgId, t.mode, t.key),
    index("idempotency_keys_created_at_idx").on(t.createdAt),
  ],
);

/**
 * The webhook outbox: one row per change event, inserted in the same batch as
 * the change. `data` is the object's internal state as JSON after the change
 * (presented in each reader's API version later); `previous`, for an update
 * or a reorder, the same state before it. `dispatched_at` is set once the
 * event has been handed on to the history database (src/history/), which
 * then holds it for 30 days; the row stays a few minutes more (so a listing
 * that reads both databases never misses it) and is purged.
 */
export const webhookEvents = sqliteTable(
  "webhook_events",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    mode: text("mode", { enum: MODES }).notNull(),
    type: text("type").notNull(),
    data: text("data"),
    createdAt: integer("created_at").notNull(),
    dispatchedAt: integer("dispatched_at"),
    // When the sweep last put this event's message on the queue (NULL: only
    // the request's own send, at created_at).
    requeuedAt: integer("requeued_at"),
    previous: text("previous"),
    // The write that made the event: its x-request-id and Idempotency-Key.
    requestId: text("request_id"),
    idempotencyKey: text("idempotency_key"),
    // Set only on events from before the history database (migration 0007):
    // fanned out then, so their hand-off copies them and creates no delivery.
    fannedOutAt: integer("fanned_out_at"),
  },
  (t) => [
    index("webhook_events_created_at_idx").on(t.createdAt),
    index("webhook_events_undispatched_idx").on(t.createdAt).where(sql`${t.dispatchedAt} IS NULL`),
    index("webhook_events_tenant_id_idx").on(t.orgId, t.mode, t.id),
  ],
);

/** A receiver of webhook events; `secret` is encrypted (AES-GCM, ENCRYPTION_KEY). */
export const webhookEndpoints = sqliteTable(
  "webhook_endpoints",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    mode: text("mode", { enum: MODES }).notNull(),
    url: text("url").notNull(),
    events: text("events", { mode: "json" }).$type<string[]>().notNull(),
    description: text("description"),
    isActive: integer("is_active", { mode: "boolean" }).notNull(),
    apiVersion: text("api_version"),
    secret: text("secret").notNull(),
    // Start of the current run of failed attempts; NULL after a success.
    failingSince: integer("failing_since"),
    // Failed attempts in a row (0 after a success): deactivation needs a run
    // both long (failing_since) and dense (this), never one failure after a
    // quiet period.
    failedAttempts: integer("failed_attempts").notNull().default(0),
    // The latest failed attempt: a failure long after it (no traffic in
    // between) starts a new streak rather than extending an outage long over.
    lastFailedAt: integer("last_failed_at"),
    ...timestamps,
  },
  (t) => [index("webhook_endpoints_tenant_id_idx").on(t.orgId, t.mode, t.id)],
);

/**
 * The listing of API keys (KV holds what authenticates them): per
 * organization and mode, newest first. `kv_key` is `apikey:<sha256>`, never
 * the key; `last_used_at` is written here after responses, never into KV.
 */
export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    orgId: text("org_id").notNull(),
    mode: text("mode", { enum: MODES }).notNull(),
    name: text("name").notNull(),
    prefix: text("prefix").notNull(),
    tier: text("tier", { enum: KEY_TIERS }).notNull(),
    kvKey: text("kv_key").notNull(),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at"),
    lastUsedAt: integer("last_used_at"),
    // Set when a delete starts (before its KV record goes): the scheduled
    // reconciliation finishes a delete that did not.
    revokedAt: integer("revoked_at"),
    // The key that made this one over the API; NULL: the operator (the CLI).
    createdBy: text("created_by"),
  },
  (t) => [
    index("api_keys_created_by_idx").on(t.createdBy).where(sql`${t.createdBy} IS NOT NULL`),
    index("api_keys_tenant_id_idx").on(t.orgId, t.mode, t.id),
    uniqueIndex("api_keys_kv_key_uq").on(t.kvKey),
    index("api_keys_revoked_idx").on(t.revokedAt).where(sql`${t.revokedAt} IS NOT NULL`),
  ],
);

/**
 * Small named values the background jobs keep between runs: the key
 * reconciliation's KV scan position, the queue's progress mark, the
 * re-encryption's position.
 */
export const serviceState = sqliteTable("service_state", {
  name: text("name").primaryKey(),
  value: text("value").notNull(),
  updatedAt: integer("updated_at").notNull(),
});

export type WebhookEndpointRow = typeof webhookEndpoints.$inferSelect;
