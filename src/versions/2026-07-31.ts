import { z } from "@hono/zod-openapi";
import { errorObject } from "../errors";
import { Livemode } from "../lib/fields";
import type { PlanGroupRecord } from "../plan-groups/queries";
import { Members, PlanSummary, planGroupFields, planGroupFieldsOf } from "../plan-groups/schemas";
import type { PlanRecord } from "../plans/queries";
import { planFields, planFieldsOf } from "../plans/schemas";
import {
  apiKey,
  createdApiKey,
  createdWebhook,
  deletedApiKey,
  deletedPlan,
  deletedPlanGroup,
  deletedWebhook,
  ErrorObject,
  type eventSchema,
  eventShape,
  pageFields,
  type WebhookDeliveryLog,
  type WebhookRecovery,
  webhook,
  webhookDelivery,
  webhookDeliveryLog,
  webhookRecovery,
} from "./common";
import { shape, type Version } from "./types";

/**
 * 2026-07-31, the generation of `@commet/node` 8.x and 9.x: a body is the
 * object itself, a list is `{ object: "list", ... }`, an error is
 * `{ error }`; a plan group carries its plans only when fetched alone, and
 * memberships and orders are objects of their own.
 */

const planGroupObject = z.literal("plan_group").openapi({ description: "Always `plan_group`." });

const groupHead = (group: PlanGroupRecord, livemode: boolean) => ({
  object: "plan_group" as const,
  livemode,
  ...planGroupFieldsOf(group),
});

const PlanGroup = z
  .strictObject({ object: planGroupObject, livemode: Livemode, ...planGroupFields })
  .openapi("PlanGroup", { description: "An ordered set of plans (its plans: get the group)." });

const PlanGroupDetail = z
  .strictObject({ object: planGroupObject, livemode: Livemode, ...planGroupFields, plans: Members })
  .openapi("PlanGroupDetail", { description: "A plan group with its plans in order." });

// This service keeps no pricing: the arrays say so rather than being left out.
const none = (what: string) =>
  z
    .array(z.unknown())
    .max(0)
    .openapi({ description: `Always empty: this service keeps no ${what}.`, example: [] });

const Plan = z
  .strictObject({
    object: z.literal("plan").openapi({ description: "Always `plan`." }),
    livemode: Livemode,
    ...planFields,
    features: none("features"),
    prices: none("prices"),
    exchangeRates: none("exchange rates"),
  })
  .openapi("Plan", { description: "A plan of the catalog." });

const plan = shape(Plan, (p: PlanRecord, { livemode }) => ({
  object: "plan" as const,
  livemode,
  ...planFieldsOf(p),
  features: [],
  prices: [],
  exchangeRates: [],
}));

const membership = z
  .literal("plan_group_membership")
  .openapi({ description: "Always `plan_group_membership`." });

export type PlanGroupBody = z.infer<typeof PlanGroup>;
export type PlanGroupDetailBody = z.infer<typeof PlanGroupDetail>;
export type PlanBody = z.infer<typeof Plan>;

/** What an event's `data` may be in this version. */
const EventObjects = z.union([PlanGroupDetail, Plan]);
export type EventBody = z.infer<ReturnType<typeof eventSchema<typeof EventObjects>>>;
export type WebhookDeliveryBody = z.infer<typeof WebhookDeliveryLog>;
export type WebhookRecoveryBody = z.infer<typeof WebhookRecovery>;

export const v20260731: Version = {
  id: "2026-07-31",
  shapes: {
    planGroup: shape(PlanGroup, (group, { livemode }) => groupHead(group, livemode)),
    planGroupDetail: shape(PlanGroupDetail, (group, { livemode }) => ({
      ...groupHead(group, livemode),
      plans: group.plans,
    })),
    deletedPlanGroup,
    planAdded: shape(
      z
        .strictObject({
          object: membership,
          livemode: Livemode,
          success: z.literal(true).openapi({ description: "Always `true`." }),
          planGroupId: z.string().openapi({ description: "The group." }),
          planId: z.string().openapi({ description: "The plan that was added." }),
          sortOrder: z.number().int().openapi({ description: "The plan's final position." }),
        })
        .openapi("PlanGroupMembership"),
      (added, { livemode }) => ({
        object: "plan_group_membership" as const,
        livemode,
        success: true as const,
        planGroupId: added.groupId,
        planId: added.planId,
        sortOrder: added.sortOrder,
      }),
    ),
    planRemoved: shape(
      z
        .strictObject({
          object: membership,
          livemode: Livemode,
          id: z.string().openapi({ description: "The plan's ID." }),
          planGroupId: z.string().openapi({ description: "The group the plan left." }),
          removed: z.literal(true).openapi({ description: "Always `true`." }),
        })
        .openapi("RemovedPlanGroupMembership"),
      (removed, { livemode }) => ({
        object: "plan_group_membership" as const,
        livemode,
        id: removed.planId,
        planGroupId: removed.groupId,
        removed: true as const,
      }),
    ),
    plansReordered: shape(
      z
        .strictObject({
          object: z
            .literal("plan_group_order")
            .openapi({ description: "Always `plan_group_order`." }),
          livemode: Livemode,
          reordered: z.literal(true).openapi({ description: "Always `true`." }),
          planGroupId: z.string().openapi({ description: "The group." }),
          plans: z
            .array(PlanSummary)
            .openapi({ description: "The group's plans in their new order." }),
        })
        .openapi("PlanGroupOrder"),
      (reordered, { livemode }) => ({
        object: "plan_group_order" as const,
        livemode,
        reordered: true as const,
        planGroupId: reordered.groupId,
        plans: reordered.plans,
      }),
    ),
    plan,
    planVisibility: plan,
    deletedPlan,
    apiKey,
    createdApiKey,
    deletedApiKey,
    webhook,
    createdWebhook,
    deletedWebhook,
    webhookDelivery,
    webhookDeliveryLog,
    webhookRecovery,
    event: eventShape(EventObjects),
  },
  one: { schema: (item) => item, body: (item) => item },
  list: {
    schema: (item) =>
      z.strictObject({
        object: z.literal("list").openapi({ description: "Always `list`." }),
        data: z.array(item).openapi({ description: "This page, newest first." }),
        ...pageFields,
      }),
    body: (page) => ({ object: "list", ...page }),
  },
  error: {
    schema: z.strictObject({ error: ErrorObject }).openapi("Error"),
    body: (err, docUrl) => {
      const error = errorObject(err, docUrl);
      // This generation names the type of a 500 `internal_error`.
      return {
        error: { ...error, type: error.type === "api_error" ? "internal_error" : error.type },
      };
    },
  },
  routes: {
    "create-plan": [{ method: "post", path: "/api/v1/plans" }],
    "update-plan": [{ method: "patch", path: "/api/v1/plans/{id}" }],
    "delete-plan": [{ method: "delete", path: "/api/v1/plans/{id}" }],
  },
  envelope:
    '**Responses.** A success body is the object itself. A list is `{ "object": "list", "data": [...], "hasMore": boolean }` plus `nextCursor` when `hasMore` is true. An error is `{ "error": { type, code, message, param, details, doc_url } }`: branch on `code`, and follow `doc_url` to the error reference at [/errors](/errors).',
};
