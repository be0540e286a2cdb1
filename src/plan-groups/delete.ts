import { createRoute, z } from "@hono/zod-openapi";
import { ApiError } from "../errors";
import { Livemode } from "../lib/fields";
import type { AppRouteHandler } from "../lib/handler";
import { errorResponses, jsonResponse, Success } from "../lib/openapi";
import { deleteGroup } from "./queries";
import { GroupIdParam } from "./schemas";

const Deleted = z
  .object({
    id: z.string().openapi({ description: "The deleted group's ID." }),
    deleted: z.literal(true).openapi({ description: "Always `true`." }),
    object: z.literal("plan_group").openapi({ description: "Always `plan_group`." }),
    livemode: Livemode,
  })
  .openapi("DeletedPlanGroup");

export const route = createRoute({
  method: "delete",
  path: "/api/v1/plan-groups/{id}",
  operationId: "delete-plan-group",
  summary: "Delete a plan group",
  description:
    "Deletes the group and unlinks its plans (their `planGroupId` becomes null). Plans are never deleted.",
  tags: ["Plan groups"],
  request: { params: GroupIdParam },
  responses: {
    200: jsonResponse(Success(Deleted), "The group is gone."),
    ...errorResponses("plan_group_not_found"),
  },
});

export const handler: AppRouteHandler<typeof route> = async (c) => {
  const { id } = c.req.valid("param");
  if (!(await deleteGroup(c.var.db, c.var.tenant, id, Date.now()))) {
    throw new ApiError("plan_group_not_found", { param: "id" });
  }
  return c.json(
    {
      success: true as const,
      data: {
        id,
        deleted: true as const,
        object: "plan_group" as const,
        livemode: c.var.auth.livemode,
      },
    },
    200,
  );
};
