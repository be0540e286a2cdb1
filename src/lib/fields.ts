import { z } from "@hono/zod-openapi";

// C0 controls other than tab/newline/CR, DEL and C1 controls: never meaningful in a name.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** Every C0 and C1 control character and DEL, tab and newlines included. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point.
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f]/;

export const Name = z
  .string()
  .trim()
  .min(1, "must contain at least 1 character")
  .max(120, "must be at most 120 characters")
  .refine((s) => !CONTROL_CHARACTER.test(s), "must not contain control characters")
  .openapi({ description: "1-120 characters after trimming.", example: "Pro" });

export const Description = z
  .string()
  .max(1000, "must be at most 1000 characters")
  .refine((s) => !CONTROL.test(s), "must not contain control characters")
  .nullable()
  .openapi({
    description: "At most 1000 characters; `null` clears it.",
    example: "For growing teams",
  });

export const IsPublic = z.boolean().openapi({ description: "Whether customers can see it." });

export const Timestamp = z
  .string()
  .openapi({ format: "date-time", example: "2026-07-11T09:30:00.000Z" });

export const PathId = (description: string, example: string) =>
  z
    .string()
    .min(1)
    .max(255)
    .openapi({ param: { name: "id", in: "path" }, description, example });

export const PlanIdString = z
  .string()
  .min(1, "must not be empty")
  .max(255, "must be at most 255 characters")
  .openapi({ description: "A plan's ID.", example: "plan_01j2x3y4z5a6b7c8d9e0f1g2h3" });

export const Livemode = z
  .boolean()
  .openapi({ description: "`true` for objects of live mode, `false` for test mode." });
