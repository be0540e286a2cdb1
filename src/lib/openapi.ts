import { z } from "@hono/zod-openapi";
import { ERRORS, type ErrorCode } from "../errors";

export const ErrorEnvelope = z
  .object({
    success: z.literal(false),
    error: z.object({
      type: z.string().openapi({ example: "validation_error" }),
      code: z.string().openapi({ example: "validation_error" }),
      message: z.string().openapi({ example: "name: must contain at least 1 character" }),
      param: z.string().nullable().openapi({ example: "name" }),
      details: z
        .union([
          z.array(z.object({ field: z.string(), message: z.string() })),
          z.record(z.string(), z.unknown()),
          z.null(),
        ])
        .openapi({
          description:
            "For `validation_error`, one `{ field, message }` per problem (`field` is a dotted path). Otherwise `null` or an object with context.",
        }),
      doc_url: z
        .string()
        .url()
        .openapi({ example: "https://api.example.com/errors/validation_error" }),
    }),
  })
  .openapi("Error");

/**
 * Error responses for a route, grouped by status, from the one error table.
 * Every route takes some input (a path ID at least), so every route can 400.
 */
export function errorResponses(...codes: ErrorCode[]) {
  const always: ErrorCode[] = [
    "validation_error",
    "unauthorized",
    "rate_limited",
    "internal_error",
  ];
  const all: ErrorCode[] = [...always, ...codes];
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(all)) {
    const status = ERRORS[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, list]) => [
      status,
      {
        description: list.map((c) => `\`${c}\`: ${ERRORS[c].meaning}`).join(" "),
        content: { "application/json": { schema: ErrorEnvelope } },
      },
    ]),
  );
}

export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return {
    required: true,
    ...(description ? { description } : {}),
    content: { "application/json": { schema } },
  };
}

export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

export const Success = <T extends z.ZodType>(data: T) =>
  z.object({ success: z.literal(true), data });

export const ListOf = <T extends z.ZodType>(item: T) =>
  z.object({
    success: z.literal(true),
    data: z.array(item),
    hasMore: z.boolean(),
    nextCursor: z
      .string()
      .optional()
      .openapi({ description: "Present only when `hasMore` is true: pass it as `cursor`." }),
  });

export const ListQuery = z.object({
  limit: z
    .string()
    .regex(/^[0-9]{1,3}$/, "must be an integer from 1 to 100")
    .transform(Number)
    .pipe(z.number().int().min(1, "must be at least 1").max(100, "must be at most 100"))
    .optional()
    .openapi({ type: "integer", minimum: 1, maximum: 100, default: 20, example: 20 }),
  cursor: z
    .string()
    .max(512)
    .optional()
    .openapi({ description: "The `nextCursor` of the previous page." }),
});

export const DEFAULT_LIMIT = 20;
