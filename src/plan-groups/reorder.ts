import { createRoute, z } from "@hono/zod-openapi";
import { ApiError, type FieldIssue } from "../errors";
import { Livemode, PlanIdString } from "../lib/fields";
import type { AppRouteHandler } from "../lib/handler";
import { errorResponses, jsonBody, jsonResponse, Success } from "../lib/openapi";
import { MAX_PLANS_PER_GROUP, type Member, reorderGroup } from "./queries";
import { GroupIdParam, PlanSummary } from "./schemas";

const ReorderBody = z
  .strictObject({
    planIds: z
      .array(PlanIdString)
      .max(MAX_PLANS_PER_GROUP, `must list at most ${MAX_PLANS_PER_GROUP} plans`)
      .openapi({ description: "Every plan ID of the group, exactly once, in the new order." }),
  })
  .openapi({
    example: { planIds: ["plan_01j2x3y4z5a6b7c8d9e0f1g2h3", "plan_01j2x3y4z5a6b7c8d9e0f1g2h4"] },
  });

const Reordered = z
  .object({
    reordered: z.literal(true).openapi({ description: "Always `true`." }),
    object: z.literal("plan_group").openapi({ description: "Always `plan_group`." }),
    livemode: Livemode,
    plans: z.array(PlanSummary).openapi({ description: "The group's plans in their new order." }),
  })
  .openapi("PlanGroupReordered");

export const route = createRoute({
  method: "put",
  path: "/api/v1/plan-groups/{id}/plans/reorder",
  operationId: "reorder-plans-in-group",
  summary: "Reorder the plans in a group",
  description:
    "Sets the order to `planIds`, which must hold every plan of the group exactly once. A missing, extra, repeated or foreign ID is a 400 that names it.",
  tags: ["Plan groups"],
  request: { params: GroupIdParam, body: jsonBody(ReorderBody) },
  responses: {
    200: jsonResponse(Success(Reordered), "The group's plans in their new order."),
    ...errorResponses(
      "plan_group_not_found",
      "validation_error",
      "invalid_json",
      "unsupported_media_type",
      "payload_too_large",
    ),
  },
});

/** What is wrong with `planIds` compared to the group's members, one issue per kind. */
export function reorderIssues(planIds: string[], members: Member[]): FieldIssue[] {
  const memberIds = new Set(members.map((m) => m.id));
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const id of planIds) (seen.has(id) ? repeated : seen).add(id);
  const missing = members.filter((m) => !seen.has(m.id)).map((m) => m.id);
  const unknown = [...seen].filter((id) => !memberIds.has(id));
  const issues: FieldIssue[] = [];
  if (missing.length)
    issues.push({
      field: "planIds",
      message: `missing plans of this group: ${missing.join(", ")}`,
    });
  if (unknown.length)
    issues.push({ field: "planIds", message: `not in this group: ${unknown.join(", ")}` });
  if (repeated.size)
    issues.push({
      field: "planIds",
      message: `listed more than once: ${[...repeated].join(", ")}`,
    });
  return issues;
}

export const handler: AppRouteHandler<typeof route> = async (c) => {
  const { id } = c.req.valid("param");
  const { planIds } = c.req.valid("json");
  const outcome = await reorderGroup(c.var.db, c.var.tenant, id, planIds, Date.now());
  if (!outcome.ok) {
    if (outcome.error === "group_missing")
      throw new ApiError("plan_group_not_found", { param: "id" });
    throw ApiError.validation(reorderIssues(planIds, outcome.current));
  }
  return c.json(
    {
      success: true as const,
      data: {
        reordered: true as const,
        object: "plan_group" as const,
        livemode: c.var.auth.livemode,
        plans: outcome.plans,
      },
    },
    200,
  );
};
