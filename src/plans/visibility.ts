import { z } from "@hono/zod-openapi";
import { ApiError } from "../errors";
import { IsPublic } from "../lib/fields";
import { jsonBody } from "../lib/openapi";
import { defineOperation } from "../operation/define";
import { findPlanById, updatePlan } from "./queries";
import { PlanIdParam } from "./schemas";

const Body = z.strictObject({ isPublic: IsPublic }).openapi({ example: { isPublic: false } });

export default defineOperation({
  route: {
    method: "put",
    path: "/api/v1/plans/{id}/visibility",
    operationId: "set-plan-visibility",
    summary: "Set a plan's visibility",
    description: "Private plans (`isPublic: false`) are listed only with `includePrivate=true`.",
    tags: ["Plans"],
    request: { params: PlanIdParam, body: jsonBody(Body) },
  },
  answer: { one: "planVisibility" },
  status: 200,
  description: "The plan's visibility.",
  errors: ["plan_not_found"],
  handler: async (c) => {
    const { id } = c.req.valid("param");
    const { isPublic } = c.req.valid("json");
    const plan = await updatePlan(c.var.db, c.var.tenant, id, { isPublic }, Date.now());
    if (!plan) throw new ApiError("plan_not_found", { param: "id" });
    return plan;
  },
  rebuild: (c) => findPlanById(c.var.db, c.var.tenant, c.req.valid("param").id),
});
