import { ApiError } from "../errors";
import { defineOperation } from "../operation/define";
import { deleteGroup } from "./queries";
import { GroupIdParam } from "./schemas";

export default defineOperation({
  route: {
    method: "delete",
    path: "/api/v1/plan-groups/{id}",
    operationId: "delete-plan-group",
    summary: "Delete a plan group",
    description:
      "Deletes the group and unlinks its plans (their `planGroupId` becomes null). Plans are never deleted.",
    tags: ["Plan groups"],
    request: { params: GroupIdParam },
  },
  answer: { one: "deletedPlanGroup" },
  status: 200,
  description: "The group is gone.",
  errors: ["plan_group_not_found"],
  handler: async (c) => {
    const { id } = c.req.valid("param");
    if (!(await deleteGroup(c.var.db, c.var.tenant, id, Date.now()))) {
      throw new ApiError("plan_group_not_found", { param: "id" });
    }
    return { id };
  },
});
