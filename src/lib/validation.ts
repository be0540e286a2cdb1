import { z } from "zod";
import { ApiError, type FieldIssue } from "../errors";

type RawIssue = z.core.$ZodRawIssue;

const TYPE_NAMES: Record<string, string> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  bigint: "an integer",
  boolean: "a boolean",
  object: "an object",
  record: "an object",
  array: "an array",
  tuple: "an array",
  set: "an array",
  null: "null",
  date: "a date",
};

const FORMAT_NAMES: Record<string, string> = {
  email: "an email address",
  url: "a URL",
  uuid: "a UUID",
  guid: "a UUID",
  datetime: "an ISO 8601 date and time",
  date: "an ISO 8601 date (YYYY-MM-DD)",
  time: "an ISO 8601 time",
  duration: "an ISO 8601 duration",
  ipv4: "an IPv4 address",
  ipv6: "an IPv6 address",
  base64: "base64",
  base64url: "base64url",
  lowercase: "lowercase",
  uppercase: "uppercase",
};

const plural = (n: number | bigint, one: string) => `${n} ${one}${n === 1 ? "" : "s"}`;
const literal = (value: unknown) =>
  typeof value === "string" ? JSON.stringify(value) : String(value);

function sizeBound(iss: RawIssue & { code: "too_big" | "too_small" }): string {
  const big = iss.code === "too_big";
  const n = big ? iss.maximum : iss.minimum;
  const exact = iss.exact === true;
  const inclusive = iss.inclusive !== false;
  switch (iss.origin) {
    case "string":
      if (exact) return `must be exactly ${plural(n, "character")}`;
      if (!inclusive) return `must be ${big ? "fewer" : "more"} than ${plural(n, "character")}`;
      return big
        ? `must be at most ${plural(n, "character")}`
        : `must contain at least ${plural(n, "character")}`;
    case "array":
    case "set":
      if (exact) return `must have exactly ${plural(n, "item")}`;
      if (!inclusive) return `must have ${big ? "fewer" : "more"} than ${plural(n, "item")}`;
      return `must have at ${big ? "most" : "least"} ${plural(n, "item")}`;
    case "file":
      return `must be at ${big ? "most" : "least"} ${plural(n, "byte")}`;
    default:
      if (exact) return `must be exactly ${n}`;
      if (!inclusive) return `must be ${big ? "less" : "greater"} than ${n}`;
      return `must be at ${big ? "most" : "least"} ${n}`;
  }
}

function unionMessage(iss: RawIssue & { code: "invalid_union" }): string {
  // Every option refused the value's type: name the types that would do.
  const types = iss.errors.map((issues) =>
    issues.length === 1 && issues[0]?.code === "invalid_type" && issues[0].path.length === 0
      ? TYPE_NAMES[issues[0].expected]
      : undefined,
  );
  if (types.length > 0 && types.every((t) => t !== undefined)) {
    return `must be ${[...new Set(types)].join(" or ")}`;
  }
  return "is not valid";
}

/**
 * Our wording for a zod issue that its schema gave no message of its own:
 * `name: is required`, never zod's `Invalid input: expected string, received
 * undefined`. Schema-level messages (`.min(1, "...")`) still win.
 */
function issueMessage(iss: RawIssue): string {
  switch (iss.code) {
    case "invalid_type":
      if (iss.input === undefined) return "is required";
      return TYPE_NAMES[iss.expected]
        ? `must be ${TYPE_NAMES[iss.expected]}`
        : "has the wrong type";
    case "invalid_union":
      return iss.input === undefined ? "is required" : unionMessage(iss);
    case "too_big":
    case "too_small":
      return sizeBound(iss);
    case "invalid_format":
      if (iss.format === "regex" && iss.pattern) return `must match ${iss.pattern}`;
      if (iss.format === "starts_with") return `must start with ${literal(iss.prefix)}`;
      if (iss.format === "ends_with") return `must end with ${literal(iss.suffix)}`;
      if (iss.format === "includes") return `must contain ${literal(iss.includes)}`;
      return `must be ${FORMAT_NAMES[iss.format] ?? `a valid ${iss.format}`}`;
    case "not_multiple_of":
      return `must be a multiple of ${iss.divisor}`;
    case "invalid_value":
      if (iss.values.length === 1) return `must be ${literal(iss.values[0])}`;
      return `must be one of ${iss.values.map(literal).join(", ")}`;
    case "unrecognized_keys":
      return "is not a known field";
    case "invalid_key":
      return "has an invalid key";
    case "invalid_element":
      return "has an invalid element";
    default:
      return "is not valid";
  }
}

// Every schema in the worker, whichever module built it, reports in our words.
z.config({ customError: issueMessage });

/** zod issues → our field issues; unknown keys are named one by one. */
export function fieldIssues(error: z.ZodError, prefix: string[] = []): FieldIssue[] {
  const out: FieldIssue[] = [];
  for (const issue of error.issues) {
    const path = [...prefix, ...issue.path.map(String)];
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        out.push({ field: [...path, key].join("."), message: "is not a known field" });
      }
    } else if (issue.code === "invalid_key") {
      // A bad record key: the key schema's own message says why.
      const why = issue.issues.map((i) => i.message).join("; ") || issue.message;
      out.push({ field: path.join("."), message: why });
    } else {
      out.push({ field: path.join("."), message: issue.message });
    }
  }
  return out;
}

/**
 * The validation error for a failed parse. `repeated` names the query
 * parameters sent more than once: they reach the schema as arrays, and the
 * client should hear that it repeated one, not that an array is not a string.
 * A parameter that takes repeats (the events' `type`) judges its list with
 * a refinement of its own, whose message stands.
 */
export function validationError(error: z.ZodError, repeated: ReadonlySet<string> = new Set()) {
  const judged = new Set(
    error.issues.filter((i) => i.code === "custom").map((i) => i.path.map(String).join(".")),
  );
  const issues = fieldIssues(error).map((issue) =>
    repeated.has(issue.field) && !judged.has(issue.field)
      ? { ...issue, message: "must be given only once" }
      : issue,
  );
  const first = error.issues[0];
  return ApiError.validation(issues, first ? paramOf(first) : undefined);
}

/**
 * The field a client sent, for `param`: an element of an array is reported
 * as the array (API.md: `events`, `planIds`); `details` keeps its index.
 */
function paramOf(issue: z.core.$ZodIssue): string {
  const path =
    issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0] ?? ""] : issue.path;
  const element = path.findIndex((part) => typeof part === "number");
  return (element === -1 ? path : path.slice(0, element)).map(String).join(".");
}
