import { z } from "@hono/zod-openapi";

export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return {
    required: true,
    ...(description ? { description } : {}),
    content: { "application/json": { schema } },
  };
}

export const ListQuery = z.object({
  limit: z
    .string()
    .regex(/^[0-9]{1,3}$/, "must be an integer from 1 to 100")
    .transform(Number)
    .pipe(z.number().int().min(1, "must be at least 1").max(100, "must be at most 100"))
    .optional()
    .openapi({
      type: "integer",
      minimum: 1,
      maximum: 100,
      default: 20,
      example: 20,
      description: "How many objects to return.",
    }),
  cursor: z
    .string()
    .max(512)
    .optional()
    .openapi({ description: "The `nextCursor` of the previous page." }),
});

export const DEFAULT_LIMIT = 20;
