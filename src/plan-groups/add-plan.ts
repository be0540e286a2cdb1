import { createRoute, z } from "@hono/zod-openapi";
import { Livemode, PlanIdString } from "../lib/fields";
import type { AppRouteHandler } from "../lib/handler";
import { errorResponses, jsonBody, jsonResponse, Success } from "../lib/openapi";
import { addFailure } from "./membership-errors";
import { addPlanToGroup, MAX_PLANS_PER_GROUP } from "./queries";
import { GroupIdParam } from "./schemas";

const AddBody = z
  .strictObject({
    planId: PlanIdString,
    sortOrder: z
      .number()
      .int("must be an integer")
      .min(0, "must be at least 0")
      .optional()
      .openapi({
        description:
          "Position to insert at; plans at and after it shift down by one. Past the end, or omitted: append.",
        example: 0,
      }),
  })
  .openapi({ example: { planId: "plan_01j2x3y4z5a6b7c8d9e0f1g2h3", sortOrder: 0 } });

const Added = z
  .object({
    success: z.literal(true).openapi({ description: "Always `true`." }),
    object: z.literal("plan_group").openapi({ description: "Always `plan_group`." }),
    livemode: Livemode,
    planId: z.string().openapi({ description: "The plan that was added." }),
    sortOrder: z.number().int().openapi({ description: "The plan's final position." }),
  })
  .openapi("PlanAddedToGroup");

export const route = createRoute({
  method: "post",
  path: "/api/v1/plan-groups/{id}/plans",
  operationId: "add-plan-to-group",
  summary: "Add a plan to a group",
  description:
    "Appends the plan, or inserts it at `sortOrder`. A plan belongs to at most one group: a plan already in a group is a 409, never a silent move. A group holds at most 100 plans.",
  tags: ["Plan groups"],
  request: { params: GroupIdParam, body: jsonBody(AddBody) },
  responses: {
    200: jsonResponse(Success(Added), "The plan is in the group at `sortOrder`."),
    ...errorResponses(
      "plan_group_not_found",
      "plan_not_found",
      "duplicate",
      "limit_exceeded",
      "validation_error",
      "invalid_json",
      "unsupported_media_type",
      "payload_too_large",
    ),
  },
});

export const handler: AppRouteHandler<typeof route> = async (c) => {
  const { id } = c.req.valid("param");
  const { planId, sortOrder } = c.req.valid("json");
  const position = sortOrder === undefined ? null : Math.min(sortOrder, MAX_PLANS_PER_GROUP);
  const outcome = await addPlanToGroup(c.var.db, c.var.tenant, id, planId, position, Date.now());
  if (!outcome.ok) throw addFailure(outcome.error, "id");
  return c.json(
    {
      success: true as const,
      data: {
        success: true as const,
        object: "plan_group" as const,
        livemode: c.var.auth.livemode,
        planId,
        sortOrder: outcome.sortOrder,
      },
    },
    200,
  );
};
