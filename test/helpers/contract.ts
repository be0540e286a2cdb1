import { ERRORS, type ErrorCode } from "../../src/errors";
import { isApiVersion } from "../../src/versions/ids";
import type { ApiResponse, Body } from "./http";
import { API_ROUTES, type ApiRoute } from "./routes";

const NOT_FOUND_CODES = new Set<string>(["plan_group_not_found", "plan_not_found"]);
const ROUTE_LEVEL_CODES = new Set<string>(["not_found", "method_not_allowed"]);
// Headers a middleware may name as `param` (spelled either way).
const HEADER_PARAMS = ["Idempotency-Key", "idempotency-key", "Commet-Version", "commet-version"];
// What must never reach a client: storage errors, SQL, stack frames.
const LEAKS = /SQLITE|D1_|UNIQUE constraint|\n\s+at |TypeError|RangeError|drizzle/i;
/** zod's own wording, which must never reach a client: our messages read `name: is required`. */
export const VALIDATOR_WORDING =
  /Invalid (input|option|string|number|key|element)|Unrecognized key|expected|received|Too (big|small)|<=|>=/;

export type Sent = {
  /** Top-level keys of the JSON body sent, if any: an unknown one may be named as `param`. */
  bodyKeys: string[];
  /** A path segment was empty or a dot segment, so the URL may not reach this route at all. */
  mayMissRoute: boolean;
};

/** A dotted path names a real field when some prefix of it does (keys may contain dots). */
/**
 * Whether an error's `param` is the field of its first detail, or the array
 * that field is an element of (`events` for `events.1`: API.md names arrays).
 */
export function paramNames(param: unknown, field: unknown): boolean {
  if (typeof param !== "string" || typeof field !== "string") return false;
  if (param === field) return true;
  return field.startsWith(`${param}.`) && /^\d+(\.|$)/.test(field.slice(param.length + 1));
}

function namesField(real: Set<string>, field: unknown): boolean {
  if (typeof field !== "string") return false;
  const parts = field.split(".");
  return parts.some((_, i) => real.has(parts.slice(0, i + 1).join(".")));
}

/**
 * The wire contract every response of `route` must keep, whatever was sent.
 * Returns the broken rules, empty when the response is fine.
 */
export function contractProblems(route: ApiRoute, res: ApiResponse, sent: Sent): string[] {
  const problems: string[] = [];
  const fail = (rule: string) => problems.push(rule);
  if (res.status >= 500) fail(`status ${res.status}`);
  if (!res.headers.get("x-request-id")) fail("no x-request-id header");
  if (typeof res.body !== "object" || res.body === null) {
    if (!(res.status === 200 && res.text === "")) fail("body is not JSON");
    return problems;
  }
  const body = res.body as Body;
  const sentVersion = res.headers.get("commet-version") ?? "";
  if (!isApiVersion(sentVersion)) return [...problems, `Commet-Version ${sentVersion}`];
  const documented = route.responses[sentVersion].get(res.status);
  if (res.status < 400) {
    if (sent.mayMissRoute) return problems;
    if (!documented?.schema) return [...problems, `undocumented success status ${res.status}`];
    const parsed = documented.schema.safeParse(body);
    if (!parsed.success)
      fail(`2xx body does not match the response schema: ${parsed.error.message}`);
    return problems;
  }
  const error = body.error;
  // 2026-07-11 wraps errors in `{ success: false, error }`; later versions send `{ error }`.
  const wrapped = sentVersion === "2026-07-11" ? body.success === false : !("success" in body);
  if (!wrapped || !error) return [...problems, `4xx without a ${sentVersion} error body`];
  const parsed = documented?.schema?.safeParse(body);
  if (parsed && !parsed.success)
    fail(`error body does not match its schema: ${parsed.error.message}`);
  const spec = ERRORS[error.code as ErrorCode];
  if (!spec) return [...problems, `unknown error code ${error.code}`];
  if (spec.status !== res.status) fail(`code ${error.code} sent with status ${res.status}`);
  if (error.type !== spec.type) fail(`code ${error.code} has type ${error.type}`);
  if (typeof error.message !== "string" || error.message.length === 0) fail("empty message");
  // Unknown field names are echoed on purpose; only the rest of the message can leak.
  const ours = sent.bodyKeys.reduce((m, key) => m.split(key).join(""), error.message ?? "");
  if (LEAKS.test(ours)) fail(`message leaks internals: ${error.message}`);
  if (VALIDATOR_WORDING.test(ours)) fail(`message in validator wording: ${error.message}`);
  if (!error.doc_url?.endsWith(`/${error.code}`)) fail(`doc_url ${error.doc_url}`);
  if (ROUTE_LEVEL_CODES.has(error.code)) {
    if (!sent.mayMissRoute) fail(`${error.code} although the path matches the route`);
  } else if (!documented?.description.includes(`\`${error.code}\``)) {
    fail(`${res.status} ${error.code} is not documented for this route`);
  }
  // A path with an empty or dot segment may be normalised onto another route.
  const servedBy = sent.mayMissRoute ? API_ROUTES : [route];
  const real = new Set([
    ...servedBy.flatMap((r) => [...r.params, ...r.bodyFields, ...r.queryFields]),
    ...sent.bodyKeys,
    ...HEADER_PARAMS,
  ]);
  if (error.param !== null && !namesField(real, error.param)) {
    fail(`param ${JSON.stringify(error.param)} names no field of the request`);
  }
  if (NOT_FOUND_CODES.has(error.code)) {
    const ids = servedBy.flatMap((r) => [...r.params, ...r.bodyFields]);
    if (!error.param || !ids.includes(error.param)) {
      fail(`${error.code} with param ${error.param}, not an ID field of this route`);
    }
  }
  if (error.code === "validation_error") {
    const details = error.details;
    if (!Array.isArray(details) || details.length === 0) {
      fail("validation_error without details");
    } else {
      for (const d of details as { field?: unknown; message?: unknown }[]) {
        if (!namesField(real, d.field)) {
          fail(`details field ${JSON.stringify(d.field)} names no field of the request`);
        }
        if (typeof d.message !== "string" || !d.message) fail("details entry without message");
        else if (VALIDATOR_WORDING.test(d.message))
          fail(`details in validator wording: ${d.message}`);
      }
      if (!paramNames(error.param, (details[0] as { field?: unknown }).field))
        fail("param is not details[0].field (or the array holding it)");
    }
  } else if (
    error.details !== null &&
    (typeof error.details !== "object" || Array.isArray(error.details))
  ) {
    fail("details of a non-validation error is neither null nor an object");
  }
  return problems;
}
