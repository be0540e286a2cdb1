import { z } from "@hono/zod-openapi";
import { ApiError } from "../errors";
import { PathId } from "../lib/fields";
import { defineOperation } from "../operation/define";
import { findPlan } from "./queries";

const Params = z.object({ id: PathId("The plan's ID, or its code.", "pro_monthly") });

export default defineOperation({
  route: {
    method: "get",
    path: "/api/v1/plans/{id}",
    operationId: "get-plan",
    summary: "Get a plan",
    description: "By ID or by code. Deleted plans are not found.",
    tags: ["Plans"],
    request: { params: Params },
  },
  answer: { one: "plan" },
  status: 200,
  description: "The plan.",
  errors: ["plan_not_found"],
  handler: async (c) => {
    const plan = await findPlan(c.var.db, c.var.tenant, c.req.valid("param").id);
    if (!plan) throw new ApiError("plan_not_found", { param: "id" });
    return plan;
  },
});
