import type { z } from "zod";
import { ApiError, type FieldIssue } from "../errors";

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
      // zod reports a bad record key as "Invalid key in record"; the key schema's own message says why.
      const why = issue.issues.map((i) => i.message).join("; ") || issue.message;
      out.push({ field: path.join("."), message: why });
    } else {
      out.push({ field: path.join("."), message: issue.message });
    }
  }
  return out;
}

export function validationError(error: z.ZodError): ApiError {
  return ApiError.validation(fieldIssues(error));
}
