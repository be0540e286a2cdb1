import { z } from "@hono/zod-openapi";
import { isoTime } from "../lib/encoding";
import { Description, IsPublic, Livemode, Name, Timestamp } from "../lib/fields";
import type { GroupWithPlans } from "./queries";

export const PlanSummary = z
  .object({
    id: z
      .string()
      .openapi({ description: "The plan's ID.", example: "plan_01j2x3y4z5a6b7c8d9e0f1g2h3" }),
    name: z.string().openapi({ description: "The plan's name.", example: "Starter" }),
    sortOrder: z
      .number()
      .int()
      .openapi({ description: "Position in the group, from 0.", example: 0 }),
  })
  .openapi("PlanGroupMember");

export const PlanGroup = z
  .object({
    object: z.literal("plan_group").openapi({ description: "Always `plan_group`." }),
    livemode: Livemode,
    id: z.string().openapi({
      description: "Unique, prefixed with `pgrp_`, sorts by creation time.",
      example: "pgrp_01j2x3y4z5a6b7c8d9e0f1g2h3",
    }),
    name: z.string().openapi({ description: "Shown to customers.", example: "Self-serve" }),
    description: z
      .string()
      .nullable()
      .openapi({ description: "Free text, or `null`.", example: "Plans customers can pick" }),
    isPublic: z.boolean().openapi({ description: "Whether customers can see the group." }),
    plans: z
      .array(PlanSummary)
      .openapi({ description: "Members ordered by `sortOrder`, which is always exactly 0..n-1." }),
    createdAt: Timestamp.openapi({ description: "When the group was created." }),
    updatedAt: Timestamp.openapi({
      description:
        "When a field or the membership (add, remove, reorder) last changed; a no-op update leaves it.",
    }),
  })
  .openapi("PlanGroup", { description: "An ordered set of plans." });

export const GroupIdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(255)
    .openapi({
      param: { name: "id", in: "path" },
      description: "The plan group's ID.",
      example: "pgrp_01j2x3y4z5a6b7c8d9e0f1g2h3",
    }),
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
