import { createRoute, z } from "@hono/zod-openapi";
import { ApiError } from "../errors";
import { IsPublic, Livemode } from "../lib/fields";
import type { AppRouteHandler } from "../lib/handler";
import { errorResponses, jsonBody, jsonResponse, Success } from "../lib/openapi";
import { updatePlan } from "./queries";
import { PlanIdParam } from "./schemas";

const Body = z.strictObject({ isPublic: IsPublic }).openapi({ example: { isPublic: false } });

const Visibility = z
  .object({
    id: z.string().openapi({ description: "The plan's ID." }),
    isPublic: z.boolean().openapi({ description: "The plan's visibility now." }),
    object: z.literal("plan").openapi({ description: "Always `plan`." }),
    livemode: Livemode,
  })
  .openapi("PlanVisibility");

export const route = createRoute({
  method: "put",
  path: "/api/v1/plans/{id}/visibility",
  operationId: "set-plan-visibility",
  summary: "Set a plan's visibility",
  description: "Private plans (`isPublic: false`) are listed only with `includePrivate=true`.",
  tags: ["Plans"],
  request: { params: PlanIdParam, body: jsonBody(Body) },
  responses: {
    200: jsonResponse(Success(Visibility), "The plan's visibility."),
    ...errorResponses(
      "plan_not_found",
      "validation_error",
      "invalid_json",
      "unsupported_media_type",
      "payload_too_large",
    ),
  },
});

export const handler: AppRouteHandler<typeof route> = async (c) => {
  const { id } = c.req.valid("param");
  const { isPublic } = c.req.valid("json");
  const plan = await updatePlan(c.var.db, c.var.tenant, id, { isPublic }, Date.now());
  if (!plan) throw new ApiError("plan_not_found", { param: "id" });
  return c.json(
    {
      success: true as const,
      data: {
        id: plan.id,
        isPublic: plan.isPublic,
        object: "plan" as const,
        livemode: c.var.auth.livemode,
      },
    },
    200,
  );
};
