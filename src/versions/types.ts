import type { RouteConfig, z } from "@hono/zod-openapi";
import type { ApiKeyRecord } from "../api-keys/record";
import type { DeliveryLogRecord, RecoveryRecord } from "../deliveries/record";
import type { ApiError } from "../errors";
import type { EventRecord } from "../events/record";
import type { Member } from "../membership/membership";
import type { PlanGroupRecord } from "../plan-groups/queries";
import type { PlanRecord } from "../plans/queries";
import type { WebhookDeliveryRecord, WebhookRecord } from "../webhooks/record";
import type { ApiVersion } from "./ids";

/**
 * What handlers produce, by the name of the shape that presents it: one
 * internal result per kind of answer, whatever the API version.
 */
export type Results = {
  planGroup: PlanGroupRecord;
  planGroupDetail: PlanGroupRecord;
  deletedPlanGroup: { id: string };
  planAdded: { groupId: string; planId: string; sortOrder: number };
  planRemoved: { groupId: string; planId: string };
  plansReordered: { groupId: string; plans: Member[] };
  plan: PlanRecord;
  planVisibility: PlanRecord;
  deletedPlan: { id: string };
  apiKey: ApiKeyRecord;
  createdApiKey: ApiKeyRecord & { apiKey: string };
  deletedApiKey: { id: string };
  webhook: WebhookRecord;
  createdWebhook: WebhookRecord & { secretKey: string };
  deletedWebhook: { id: string };
  webhookDelivery: WebhookDeliveryRecord;
  webhookDeliveryLog: DeliveryLogRecord;
  webhookRecovery: RecoveryRecord;
  event: EventRecord;
};

export type ShapeName = keyof Results;

type PresentContext = { livemode: boolean };

/** How one version shows one kind of result: its zod schema, and the function that fills it. */
export type Shape<In> = { schema: z.ZodType; present(input: In, ctx: PresentContext): unknown };

/** Builds a shape whose presenter is checked against its schema. */
export const shape = <In, S extends z.ZodType>(
  schema: S,
  present: (input: In, ctx: PresentContext) => z.input<S>,
): Shape<In> => ({ schema, present });

/** A page of a list, before a version wraps it. */
export type Page<T> = { items: T[]; hasMore: boolean; nextCursor?: string };

export type RouteRef = { method: RouteConfig["method"]; path: string };

/**
 * One API generation, declared: how it shapes each result, a single object,
 * a list and an error, which paths it documents for an operation instead of
 * the operation's own, and the introduction of its document. Everything else
 * (routes, validation, queries, errors) is shared by every version.
 */
export type Version = {
  id: ApiVersion;
  shapes: { [K in ShapeName]: Shape<Results[K]> };
  one: { schema(item: z.ZodType): z.ZodType; body(item: unknown): unknown };
  list: {
    schema(item: z.ZodType): z.ZodType;
    body(page: { data: unknown[]; hasMore: boolean; nextCursor?: string }): unknown;
  };
  error: { schema: z.ZodType; body(err: ApiError, docUrl: string): unknown };
  /** By operationId: the paths this generation uses for it (every path works in every version). */
  routes: Record<string, RouteRef[]>;
  /** The envelope paragraph of this version's OpenAPI document. */
  envelope: string;
};
