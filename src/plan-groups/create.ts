import { newId } from "../lib/ids";
import { jsonBody } from "../lib/openapi";
import { defineOperation } from "../operation/define";
import { findGroup, insertGroup } from "./queries";
import { GroupFields } from "./schemas";

export default defineOperation({
  route: {
    method: "post",
    path: "/api/v1/plan-groups",
    operationId: "create-plan-group",
    summary: "Create a plan group",
    description: "Creates an empty group. Add plans with `POST /plan-groups/{id}/plans`.",
    tags: ["Plan groups"],
    request: {
      body: jsonBody(
        GroupFields.openapi({
          example: { name: "Self-serve", description: "Plans customers can pick", isPublic: true },
        }),
      ),
    },
  },
  answer: { one: "planGroup" },
  status: 201,
  description: "The new group, with no plans.",
  errors: [],
  handler: async (c) => {
    const body = c.req.valid("json");
    const group = {
      id: newId("pgrp"),
      name: body.name,
      description: body.description ?? null,
      isPublic: body.isPublic ?? true,
    };
    return insertGroup(c.var.db, c.var.tenant, group, Date.now());
  },
  rebuild: async (c, id) => (id ? findGroup(c.var.db, c.var.tenant, id) : null),
});
