import { createRoute, z } from "@hono/zod-openapi";
import { ApiError } from "../errors";
import { Livemode } from "../lib/fields";
import type { AppRouteHandler } from "../lib/handler";
import { errorResponses, jsonResponse, Success } from "../lib/openapi";
import { softDeletePlan } from "./queries";
import { PlanIdParam } from "./schemas";

const Deleted = z
  .object({
    id: z.string().openapi({ description: "The deleted plan's ID." }),
    deleted: z.literal(true).openapi({ description: "Always `true`." }),
    object: z.literal("plan").openapi({ description: "Always `plan`." }),
    livemode: Livemode,
  })
  .openapi("DeletedPlan");

export const route = createRoute({
  method: "delete",
  path: "/api/v1/plans/{id}/manage",
  operationId: "delete-plan",
  summary: "Delete a plan",
  description:
    "Soft delete: the plan leaves its group (the gap closes), is no longer returned by get or list, and its code can be used again.",
  tags: ["Plans"],
  request: { params: PlanIdParam },
  responses: {
    200: jsonResponse(Success(Deleted), "The plan is deleted."),
    ...errorResponses("plan_not_found"),
  },
});

export const handler: AppRouteHandler<typeof route> = async (c) => {
  const { id } = c.req.valid("param");
  if (!(await softDeletePlan(c.var.db, c.var.tenant, id, Date.now()))) {
    throw new ApiError("plan_not_found", { param: "id" });
  }
  return c.json(
    {
      success: true as const,
      data: { id, deleted: true as const, object: "plan" as const, livemode: c.var.auth.livemode },
    },
    200,
  );
};
