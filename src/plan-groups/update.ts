import { ApiError } from "../errors";
import { jsonBody } from "../lib/openapi";
import { defineOperation } from "../operation/define";
import { findGroup, updateGroup } from "./queries";
import { GroupFields, GroupIdParam } from "./schemas";

const UpdateBody = GroupFields.partial().openapi({
  description: "Only the fields sent change. An empty body returns the group unchanged.",
  example: { name: "Self-serve plans" },
});

/** PUT and PATCH behave the same: both change only the fields sent. */
const update = (method: "put" | "patch") =>
  defineOperation({
    route: {
      method,
      path: "/api/v1/plan-groups/{id}",
      operationId: method === "put" ? "update-plan-group" : "patch-plan-group",
      summary: method === "put" ? "Update a plan group" : "Update a plan group (PATCH)",
      description:
        "Changes the fields sent. `updatedAt` moves only when a value actually changes. PUT and PATCH behave the same.",
      tags: ["Plan groups"],
      request: { params: GroupIdParam, body: jsonBody(UpdateBody) },
    },
    answer: { one: "planGroup" },
    status: 200,
    description: "The group after the update.",
    errors: ["plan_group_not_found"],
    handler: async (c) => {
      const { id } = c.req.valid("param");
      const group = await updateGroup(c.var.db, c.var.tenant, id, c.req.valid("json"), Date.now());
      if (!group) throw new ApiError("plan_group_not_found", { param: "id" });
      return group;
    },
    rebuild: (c) => findGroup(c.var.db, c.var.tenant, c.req.valid("param").id),
  });

export const put = update("put");
export const patch = update("patch");
