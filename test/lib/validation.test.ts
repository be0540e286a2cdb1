import { z } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { fieldIssues, validationError } from "../../src/lib/validation";
import { VALIDATOR_WORDING } from "../helpers/contract";

/** The message zod reports for `value` under `schema`, once our wording is installed. */
function messageFor(schema: z.ZodType, value: unknown): string {
  const result = z.object({ f: schema }).safeParse(value === undefined ? {} : { f: value });
  if (result.success) throw new Error("expected a failure");
  return fieldIssues(result.error)
    .map((i) => `${i.field}: ${i.message}`)
    .join("; ");
}

describe("validation messages", () => {
  it.each<[string, z.ZodType, unknown, string]>([
    ["missing", z.string(), undefined, "f: is required"],
    ["missing union", z.json(), undefined, "f: is required"],
    ["not a string", z.string(), 5, "f: must be a string"],
    ["not a number", z.number(), "5", "f: must be a number"],
    ["not an integer", z.number().int(), 1.5, "f: must be an integer"],
    ["not a boolean", z.boolean(), "true", "f: must be a boolean"],
    ["not an array", z.array(z.string()), "a", "f: must be an array"],
    ["not an object", z.object({}), [], "f: must be an object"],
    ["not a record", z.record(z.string(), z.string()), 1, "f: must be an object"],
    ["null for a string", z.string(), null, "f: must be a string"],
    ["string too long", z.string().max(3), "abcd", "f: must be at most 3 characters"],
    ["string too short", z.string().min(2), "a", "f: must contain at least 2 characters"],
    ["string of one", z.string().min(1), "", "f: must contain at least 1 character"],
    ["string exact", z.string().length(2), "a", "f: must be exactly 2 characters"],
    ["array too long", z.array(z.string()).max(1), ["a", "b"], "f: must have at most 1 item"],
    ["array too short", z.array(z.string()).min(2), [], "f: must have at least 2 items"],
    ["number too big", z.number().max(100), 101, "f: must be at most 100"],
    ["number too small", z.number().min(1), 0, "f: must be at least 1"],
    ["number not below", z.number().lt(5), 5, "f: must be less than 5"],
    ["number not above", z.number().gt(5), 5, "f: must be greater than 5"],
    ["not a multiple", z.number().multipleOf(5), 3, "f: must be a multiple of 5"],
    ["pattern", z.string().regex(/^a+$/), "b", "f: must match /^a+$/"],
    ["url", z.string().url(), "x", "f: must be a URL"],
    ["email", z.email(), "x", "f: must be an email address"],
    ["prefix", z.string().startsWith("ck_"), "x", 'f: must start with "ck_"'],
    ["enum", z.enum(["a", "b"]), "c", 'f: must be one of "a", "b"'],
    ["literal", z.literal(true), false, "f: must be true"],
    ["union of types", z.union([z.string(), z.number()]), true, "f: must be a string or a number"],
    ["refinement", z.string().refine(() => false), "x", "f: is not valid"],
    [
      "record key",
      z.record(z.string().max(2), z.number()),
      { abc: 1 },
      "f.abc: must be at most 2 characters",
    ],
    ["element", z.array(z.string().max(1)), ["ab"], "f.0: must be at most 1 character"],
  ])("%s", (_, schema, value, message) => {
    const got = messageFor(schema, value);
    expect(got).toBe(message);
    expect(got).not.toMatch(VALIDATOR_WORDING);
  });

  it("keeps a schema's own message", () => {
    expect(messageFor(z.string().min(1, "must not be empty"), "")).toBe("f: must not be empty");
    expect(messageFor(z.enum(["true", "false"], "must be true or false"), "x")).toBe(
      "f: must be true or false",
    );
  });

  it("names unknown keys one by one", () => {
    const result = z.strictObject({ a: z.string() }).safeParse({ a: "x", b: 1, c: 2 });
    if (result.success) throw new Error("expected a failure");
    expect(fieldIssues(result.error)).toEqual([
      { field: "b", message: "is not a known field" },
      { field: "c", message: "is not a known field" },
    ]);
  });

  it("says a repeated query parameter was repeated", () => {
    const result = z.object({ limit: z.string().optional() }).safeParse({ limit: ["1", "2"] });
    if (result.success) throw new Error("expected a failure");
    const error = validationError(result.error, new Set(["limit"]));
    expect(error.message).toBe("limit: must be given only once");
    expect(error.param).toBe("limit");
  });
});
