import { z } from "@hono/zod-openapi";
import { isoTime } from "../lib/encoding";
import { Description, IsPublic, Name, PathId, Timestamp } from "../lib/fields";
import type { PlanGroupRecord } from "./queries";

export const PlanSummary = z
  .strictObject({
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

/** The fields every generation's PlanGroup has; src/versions/ composes them. */
export const planGroupFields = {
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
  createdAt: Timestamp.openapi({ description: "When the group was created." }),
  updatedAt: Timestamp.openapi({
    description:
      "When a field or the membership (add, remove, reorder) last changed; a no-op update leaves it.",
  }),
};

export const Members = z
  .array(PlanSummary)
  .openapi({ description: "Members ordered by `sortOrder`, which is always exactly 0..n-1." });

/** The values of `planGroupFields` for a group. */
export function planGroupFieldsOf(group: PlanGroupRecord) {
  return {
    id: group.id,
    name: group.name,
    description: group.description,
    isPublic: group.isPublic,
    createdAt: isoTime(group.createdAt),
    updatedAt: isoTime(group.updatedAt),
  };
}

export const GroupIdParam = z.object({
  id: PathId("The plan group's ID.", "pgrp_01j2x3y4z5a6b7c8d9e0f1g2h3"),
});

export const GroupFields = z.strictObject({
  name: Name,
  description: Description.optional(),
  isPublic: IsPublic.optional(),
});
