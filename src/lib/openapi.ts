import { z } from "@hono/zod-openapi";
import { ApiError, ERRORS, type ErrorCode, errorBody } from "../errors";

export const ErrorEnvelope = z
  .object({
    success: z.literal(false).openapi({ description: "Always `false` on errors." }),
    error: z
      .object({
        type: z.string().openapi({
          description: "The broad class of the error; one type covers several codes.",
          example: "validation_error",
        }),
        code: z.string().openapi({
          description: "Stable and machine-readable: branch on this, not on `message`.",
          example: "validation_error",
        }),
        message: z.string().openapi({
          description: "For people reading logs; may change without notice.",
          example: "name: must contain at least 1 character",
        }),
        param: z.string().nullable().openapi({
          description: "The parameter or field at fault, when there is one.",
          example: "name",
        }),
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
        doc_url: z.string().url().openapi({
          description: "The error reference page for this code.",
          example: "https://api.example.com/errors/validation_error",
        }),
      })
      .openapi({ description: "What went wrong." }),
  })
  .openapi("Error");

// The `param` each code is most often about, so examples read like real responses.
const EXAMPLE_PARAM: Partial<Record<ErrorCode, string>> = {
  plan_group_not_found: "id",
  plan_not_found: "planId",
  duplicate: "planId",
  limit_exceeded: "id",
};

/** One realistic envelope per code, keyed by code: the document's error examples. */
export function errorExamples(codes: readonly ErrorCode[], docsBase: string) {
  return Object.fromEntries(
    codes.map((code) => {
      const err =
        code === "validation_error"
          ? ApiError.validation([{ field: "name", message: "must contain at least 1 character" }])
          : new ApiError(code, EXAMPLE_PARAM[code] ? { param: EXAMPLE_PARAM[code] } : {});
      return [
        code,
        { summary: code, description: ERRORS[code].meaning, value: errorBody(err, docsBase) },
      ];
    }),
  );
}

/** The response description for a set of codes sharing one status. */
export const describeCodes = (codes: readonly ErrorCode[]) =>
  codes.map((c) => `\`${c}\`: ${ERRORS[c].meaning}`).join("\n\n");

/**
 * Error responses for a route, grouped by status, from the one error table.
 * Each carries an example per code; the published document re-renders them
 * with the deployment's `doc_url` base and adds the codes every route shares.
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
        description: describeCodes(list),
        content: {
          "application/json": { schema: ErrorEnvelope, examples: errorExamples(list, "/errors") },
        },
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

const SuccessFlag = z.literal(true).openapi({ description: "Always `true` on success." });

export const Success = <T extends z.ZodType>(data: T) => z.object({ success: SuccessFlag, data });

export const ListOf = <T extends z.ZodType>(item: T) =>
  z.object({
    success: SuccessFlag,
    data: z.array(item).openapi({ description: "This page, newest first." }),
    hasMore: z.boolean().openapi({ description: "Whether another page follows." }),
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
