import { z } from "@hono/zod-openapi";
import { isoTime } from "../lib/encoding";
import { Description, IsPublic, Livemode, Name, Timestamp } from "../lib/fields";
import type { GroupWithPlans } from "./queries";

export const PlanSummary = z
  .object({
    id: z.string().openapi({ example: "plan_01j2x3y4z5a6b7c8d9e0f1g2h3" }),
    name: z.string().openapi({ example: "Starter" }),
    sortOrder: z
      .number()
      .int()
      .openapi({ description: "Position in the group, from 0.", example: 0 }),
  })
  .openapi("PlanGroupMember");

export const PlanGroup = z
  .object({
    object: z.literal("plan_group"),
    livemode: Livemode,
    id: z.string().openapi({ example: "pgrp_01j2x3y4z5a6b7c8d9e0f1g2h3" }),
    name: z.string().openapi({ example: "Self-serve" }),
    description: z.string().nullable(),
    isPublic: z.boolean(),
    plans: z
      .array(PlanSummary)
      .openapi({ description: "Members ordered by `sortOrder`, which is always exactly 0..n-1." }),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  })
  .openapi("PlanGroup");

export const GroupIdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(255)
    .openapi({ param: { name: "id", in: "path" }, example: "pgrp_01j2x3y4z5a6b7c8d9e0f1g2h3" }),
});

export const GroupFields = z.strictObject({
  name: Name,
  description: Description.optional(),
  isPublic: IsPublic.optional(),
});

export function presentGroup(row: GroupWithPlans, livemode: boolean): z.infer<typeof PlanGroup> {
  return {
    object: "plan_group",
    livemode,
    id: row.id,
    name: row.name,
    description: row.description,
    isPublic: row.isPublic,
    plans: row.plans,
    createdAt: isoTime(row.createdAt),
    updatedAt: isoTime(row.updatedAt),
  };
}
