import { z } from "@hono/zod-openapi";
import { errorObject } from "../errors";
import { Livemode } from "../lib/fields";
import type { PlanGroupRecord } from "../plan-groups/queries";
import { Members, PlanSummary, planGroupFields, planGroupFieldsOf } from "../plan-groups/schemas";
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
  eventShape,
  pageFields,
  webhook,
  webhookDelivery,
  webhookDeliveryLog,
  webhookRecovery,
} from "./common";
import { shape, type Version } from "./types";

/**
 * 2026-07-11, the generation of `@commet/node` 7.x: every body is an
 * envelope (`{ success, data }`), and a plan group always carries its plans.
 */

const SuccessFlag = z.literal(true).openapi({ description: "Always `true` on success." });
const planGroupObject = z.literal("plan_group").openapi({ description: "Always `plan_group`." });

const PlanGroup = z
  .strictObject({
    object: planGroupObject,
    livemode: Livemode,
    ...planGroupFields,
    plans: Members,
  })
  .openapi("PlanGroup", { description: "An ordered set of plans." });

const planGroup = shape(PlanGroup, (group: PlanGroupRecord, { livemode }) => ({
  object: "plan_group" as const,
  livemode,
  ...planGroupFieldsOf(group),
  plans: group.plans,
}));

const Plan = z
  .strictObject({
    object: z.literal("plan").openapi({ description: "Always `plan`." }),
    livemode: Livemode,
    ...planFields,
  })
  .openapi("Plan", { description: "A plan of the catalog." });

export type PlanGroupBody = z.infer<typeof PlanGroup>;
export type PlanBody = z.infer<typeof Plan>;

export const v20260711: Version = {
  id: "2026-07-11",
  shapes: {
    planGroup,
    planGroupDetail: planGroup,
    deletedPlanGroup,
    planAdded: shape(
      z
        .strictObject({
          success: SuccessFlag,
          object: planGroupObject,
          livemode: Livemode,
          planId: z.string().openapi({ description: "The plan that was added." }),
          sortOrder: z.number().int().openapi({ description: "The plan's final position." }),
        })
        .openapi("PlanAddedToGroup"),
      (added, { livemode }) => ({
        success: true as const,
        object: "plan_group" as const,
        livemode,
        planId: added.planId,
        sortOrder: added.sortOrder,
      }),
    ),
    planRemoved: shape(
      z
        .strictObject({
          id: z.string().openapi({ description: "The plan's ID." }),
          planGroupId: z.string().openapi({ description: "The group the plan left." }),
          removed: z.literal(true).openapi({ description: "Always `true`." }),
          object: planGroupObject,
          livemode: Livemode,
        })
        .openapi("PlanRemovedFromGroup"),
      (removed, { livemode }) => ({
        id: removed.planId,
        planGroupId: removed.groupId,
        removed: true as const,
        object: "plan_group" as const,
        livemode,
      }),
    ),
    plansReordered: shape(
      z
        .strictObject({
          reordered: z.literal(true).openapi({ description: "Always `true`." }),
          object: planGroupObject,
          livemode: Livemode,
          plans: z
            .array(PlanSummary)
            .openapi({ description: "The group's plans in their new order." }),
        })
        .openapi("PlanGroupReordered"),
      (reordered, { livemode }) => ({
        reordered: true as const,
        object: "plan_group" as const,
        livemode,
        plans: reordered.plans,
      }),
    ),
    plan: shape(Plan, (plan, { livemode }) => ({
      object: "plan" as const,
      livemode,
      ...planFieldsOf(plan),
    })),
    planVisibility: shape(
      z
        .strictObject({
          id: z.string().openapi({ description: "The plan's ID." }),
          isPublic: z.boolean().openapi({ description: "The plan's visibility now." }),
          object: z.literal("plan").openapi({ description: "Always `plan`." }),
          livemode: Livemode,
        })
        .openapi("PlanVisibility"),
      (plan, { livemode }) => ({
        id: plan.id,
        isPublic: plan.isPublic,
        object: "plan" as const,
        livemode,
      }),
    ),
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
    event: eventShape(z.union([PlanGroup, Plan])),
  },
  one: {
    schema: (data) => z.strictObject({ success: SuccessFlag, data }),
    body: (data) => ({ success: true, data }),
  },
  list: {
    schema: (item) =>
      z.strictObject({
        success: SuccessFlag,
        data: z.array(item).openapi({ description: "This page, newest first." }),
        ...pageFields,
      }),
    body: (page) => ({ success: true, ...page }),
  },
  error: {
    schema: z
      .strictObject({
        success: z.literal(false).openapi({ description: "Always `false` on errors." }),
        error: ErrorObject,
      })
      .openapi("Error"),
    body: (err, docUrl) => ({ success: false, error: errorObject(err, docUrl) }),
  },
  routes: {},
  envelope:
    '**Envelope.** A success is `{ "success": true, "data": ... }`; lists add `hasMore` and, when it is true, `nextCursor`. An error is `{ "success": false, "error": { type, code, message, param, details, doc_url } }`: branch on `code`, and follow `doc_url` to the error reference at [/errors](/errors).',
};
