import { z } from "@hono/zod-openapi";
import { isoTime } from "../lib/encoding";
import { CONTROL_CHARACTER, Description, IsPublic, Name, PathId, Timestamp } from "../lib/fields";
import { someString } from "../lib/json-walk";
import type { PlanRecord } from "./queries";

const Code = z
  .string()
  .regex(/^[a-z0-9_]{1,64}$/, "must be 1-64 characters of a-z, 0-9 and _")
  .openapi({
    description: "Unique among the live plans of the organization and mode.",
    example: "pro_monthly",
  });

const ConsumptionModel = z.enum(["metered", "credits", "balance"]).nullable().openapi({
  description:
    "How usage is charged: `metered` (billed after use), `credits` (drawn from prepaid credits) or `balance` (drawn from a money balance); `null` for plans without usage.",
  example: "metered",
});

const Metadata = z
  .record(
    z
      .string()
      .max(40, "keys must be at most 40 characters")
      .refine((k) => !CONTROL_CHARACTER.test(k), "keys must not contain control characters"),
    z.json(),
  )
  .refine((m) => Object.keys(m).length <= 50, "must have at most 50 keys")
  // NUL is valid JSON but truncates C strings and is refused by Postgres text
  // and jsonb, so it would break whoever exports the metadata downstream.
  .refine((m) => !someString(m, (s) => s.includes("\u0000")), "must not contain NUL characters")
  .refine(
    (m) => new TextEncoder().encode(JSON.stringify(m)).byteLength <= 8192,
    "must be at most 8 KiB as JSON",
  )
  .nullable()
  .openapi({
    type: "object",
    description:
      "Your own key-value data: at most 50 keys of at most 40 characters (no control characters), 8 KiB as JSON, no NUL characters anywhere.",
    example: { tier: "pro" },
  });

/** The fields every generation's Plan has; src/versions/ composes them. */
export const planFields = {
  id: z.string().openapi({
    description: "Unique, prefixed with `plan_`, sorts by creation time.",
    example: "plan_01j2x3y4z5a6b7c8d9e0f1g2h3",
  }),
  code: z.string().openapi({
    description: "Your identifier for the plan; unique among live plans.",
    example: "pro_monthly",
  }),
  name: z.string().openapi({ description: "Shown to customers.", example: "Pro" }),
  description: z
    .string()
    .nullable()
    .openapi({ description: "Free text, or `null`.", example: "For growing teams" }),
  consumptionModel: ConsumptionModel,
  isPublic: z.boolean().openapi({
    description: "Private plans are listed only with `includePrivate=true`.",
  }),
  isDefault: z.literal(false).openapi({ description: "Reserved; always `false`." }),
  isFree: z.boolean().openapi({ description: "Whether the plan costs nothing." }),
  blockOnExhaustion: z.boolean().nullable().openapi({
    description: "Whether usage is refused once credits or balance run out; `null` when not set.",
  }),
  sortOrder: z.number().int().openapi({ description: "Position in its group; 0 when ungrouped." }),
  planGroupId: z
    .string()
    .nullable()
    .openapi({ description: "The group the plan is in, if any.", example: null }),
  metadata: z
    .record(z.string(), z.unknown())
    .nullable()
    .openapi({
      description: "Your own key-value data, as you sent it.",
      example: { tier: "pro" },
    }),
  createdAt: Timestamp.openapi({ description: "When the plan was created." }),
  updatedAt: Timestamp.openapi({ description: "When a field last changed." }),
};

/** The values of `planFields` for a plan. */
export function planFieldsOf(plan: PlanRecord) {
  return {
    id: plan.id,
    code: plan.code,
    name: plan.name,
    description: plan.description,
    consumptionModel: plan.consumptionModel,
    isPublic: plan.isPublic,
    isDefault: false as const,
    isFree: plan.isFree,
    blockOnExhaustion: plan.blockOnExhaustion,
    sortOrder: plan.planGroupId === null ? 0 : plan.sortOrder,
    planGroupId: plan.planGroupId,
    metadata: plan.metadata ?? null,
    createdAt: isoTime(plan.createdAt),
    updatedAt: isoTime(plan.updatedAt),
  };
}

export const CreatePlanBody = z
  .strictObject({
    name: Name,
    code: Code,
    description: Description.optional(),
    consumptionModel: ConsumptionModel.optional(),
    isPublic: IsPublic.optional().openapi({ default: true }),
    isFree: z
      .boolean()
      .optional()
      .openapi({ default: false, description: "Whether the plan costs nothing." }),
    blockOnExhaustion: z.boolean().nullable().optional().openapi({
      description: "Whether usage is refused once credits or balance run out.",
    }),
    planGroupId: z.string().min(1).max(255).optional().openapi({
      description: "Appends the new plan to this group (same rules as adding a plan).",
    }),
    metadata: Metadata.optional(),
  })
  .openapi({
    example: { name: "Pro", code: "pro_monthly", isFree: false, consumptionModel: "metered" },
  });

export const UpdatePlanBody = z
  .strictObject({
    name: Name.optional(),
    description: Description.optional(),
    metadata: Metadata.optional(),
    isPublic: IsPublic.optional(),
  })
  .openapi({ example: { name: "Pro (2026)" } });

export const PlanIdParam = z.object({
  id: PathId("The plan's ID.", "plan_01j2x3y4z5a6b7c8d9e0f1g2h3"),
});
