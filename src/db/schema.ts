import { sql } from "drizzle-orm";
import {
  type AnySQLiteColumn,
  index,
  integer,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

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
    mode: text("mode", { enum: ["test", "live"] }).notNull(),
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
    mode: text("mode", { enum: ["test", "live"] }).notNull(),
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
    uniqueIndex("plans_group_position_uq")
      .on(t.planGroupId, t.sortOrder)
      .where(sql`${t.planGroupId} IS NOT NULL`),
    index("plans_tenant_id_idx").on(t.orgId, t.mode, t.id),
    // Only rows parked mid-transaction are negative, so this index stays empty
    // at rest and makes the "put parked rows back" statements cheap.
    index("plans_parked_idx").on(t.sortOrder).where(sql`${t.sortOrder} < 0`),
  ],
);

/**
 * One row per Idempotency-Key of a tenant. The row is inserted by the first
 * write batch of the request (so it commits with the write, or not at all);
 * `status_code` stays NULL until the response is stored after it.
 */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    orgId: text("org_id").notNull(),
    mode: text("mode", { enum: ["test", "live"] }).notNull(),
    key: text("key").notNull(),
    method: text("method").notNull(),
    path: text("path").notNull(),
    bodyHash: text("body_hash").notNull(),
    statusCode: integer("status_code"),
    responseBody: text("response_body"),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [
    uniqueIndex("idempotency_keys_key_uq").on(t.orgId, t.mode, t.key),
    index("idempotency_keys_created_at_idx").on(t.createdAt),
  ],
);

export type PlanGroupRow = typeof planGroups.$inferSelect;
export type PlanRow = typeof plans.$inferSelect;
