import { ApiError } from "../errors";
import { defineOperation } from "../operation/define";
import { findGroup } from "./queries";
import { GroupIdParam } from "./schemas";

export default defineOperation({
  route: {
    method: "get",
    path: "/api/v1/plan-groups/{id}",
    operationId: "get-plan-group",
    summary: "Get a plan group",
    description: "The group with its plans in order.",
    tags: ["Plan groups"],
    request: { params: GroupIdParam },
  },
  answer: { one: "planGroupDetail" },
  status: 200,
  description: "The group and its plans.",
  errors: ["plan_group_not_found"],
  handler: async (c) => {
    const group = await findGroup(c.var.db, c.var.tenant, c.req.valid("param").id);
    if (!group) throw new ApiError("plan_group_not_found", { param: "id" });
    return group;
  },
});
