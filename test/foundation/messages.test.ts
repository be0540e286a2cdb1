import { describe, expect, it } from "vitest";
import { paramNames, VALIDATOR_WORDING } from "../helpers/contract";
import { type ApiResponse, type Client, client, expectError } from "../helpers/http";
import { API_ROUTES, type ApiRoute, clientPath, encodeSegment, fillPath } from "../helpers/routes";

const LONG = "a".repeat(5000);
/** A value of every JSON kind, and sizes past every bound: each breaks some field's schema. */
const BODY_VALUES: unknown[] = [
  undefined,
  12345,
  1.5,
  -1,
  "x",
  "",
  true,
  null,
  [],
  ["x"],
  {},
  { a: 1 },
  LONG,
  Array.from({ length: 150 }, (_, i) => `x${i}`),
];
const QUERY_VALUES: string[][] = [["1", "2"], ["x"], ["-1"], ["1.5"], [""], [LONG]];
/** Query parameters the contract lets a client repeat (`?type=a&type=b`), by operation. */
const REPEATABLE = new Set(["list-events type"]);

type Detail = { field: string; message: string };

/**
 * A validation error reads like the rest of the API: `field: what is wrong`,
 * in our words, never the validator's (`Invalid input: expected string,
 * received undefined`, `Too big: expected string to have <=255 characters`).
 */
function expectReadable(res: ApiResponse, what: string): Detail[] {
  if (res.status !== 400 || res.body.error?.code !== "validation_error") return [];
  const error = res.body.error;
  const details = error.details as Detail[];
  const context = `${what}: ${res.text.slice(0, 400)}`;
  expect(Array.isArray(details) && details.length > 0, context).toBe(true);
  for (const d of details) {
    expect(d.field, context).not.toBe("");
    expect(d.message, context).toMatch(/^[a-z]/);
    expect(d.message, context).not.toMatch(VALIDATOR_WORDING);
  }
  expect(error.message, context).toBe(details.map((d) => `${d.field}: ${d.message}`).join("; "));
  expect(paramNames(error.param, details[0]?.field), context).toBe(true);
  return details;
}

/** The route's path with every parameter a well-formed (if unknown) ID, or `value`. */
function pathOf(route: ApiRoute, value?: (param: string) => string) {
  const filled = fillPath(
    route,
    Object.fromEntries(route.params.map((p) => [p, encodeSegment(value?.(p) ?? "plan_x")])),
  );
  return clientPath(filled);
}

async function send(api: Client, route: ApiRoute, body: unknown, path = pathOf(route)) {
  return api.call(route.method, path, body === undefined ? {} : { body });
}

describe("validation messages over every route's schema", () => {
  const withBody = API_ROUTES.filter((r) => r.body);
  const withQuery = API_ROUTES.filter((r) => r.queryFields.length > 0);
  const withParams = API_ROUTES.filter((r) => r.params.length > 0);

  it.each(withBody.map((r) => [r.operationId, r] as const))(
    "%s: every body field, missing or of every wrong kind",
    async (_, route) => {
      const api = await client();
      const base = { ...(route.example ?? {}) };
      let seen = 0;
      for (const field of route.bodyFields) {
        for (const value of BODY_VALUES) {
          const body: Record<string, unknown> = { ...base, [field]: value };
          if (value === undefined) delete body[field];
          const res = await send(api, route, body);
          expect(res.status, res.text).toBeLessThan(500);
          seen += expectReadable(res, `${field}=${JSON.stringify(value)?.slice(0, 40)}`).length;
        }
      }
      expect(seen).toBeGreaterThan(route.bodyFields.length);
    },
  );

  it.each(withQuery.map((r) => [r.operationId, r] as const))(
    "%s: every query parameter, repeated or of every wrong kind",
    async (_, route) => {
      const api = await client();
      for (const field of route.queryFields) {
        let refused = 0;
        for (const values of QUERY_VALUES) {
          const query = values.map((v) => `${field}=${encodeSegment(v)}`).join("&");
          const res = await api.call(route.method, `${pathOf(route)}?${query}`);
          expect(res.status, res.text).toBeLessThan(500);
          const details = expectReadable(res, `${field}=${values.join(",").slice(0, 40)}`);
          if (details.length > 0) refused++;
          if (values.length > 1) {
            expectError(res, 400, "validation_error", field);
            if (!REPEATABLE.has(`${route.operationId} ${field}`)) {
              expect(res.body.error?.message).toBe(`${field}: must be given only once`);
            }
          }
        }
        expect(refused, field).toBeGreaterThan(1);
      }
    },
  );

  it.each(withParams.map((r) => [r.operationId, r] as const))(
    "%s: a path parameter of 5000 characters",
    async (_, route) => {
      const api = await client();
      for (const param of route.params) {
        const path = pathOf(route, (p) => (p === param ? LONG : "plan_x"));
        const res = await send(api, route, route.body ? (route.example ?? {}) : undefined, path);
        expectError(res, 400, "validation_error", param);
        expectReadable(res, param);
        expect(res.body.error?.message).toBe(`${param}: must be at most 255 characters`);
      }
    },
  );

  it("says a required field is required", async () => {
    const api = await client();
    const res = await api.post("/plan-groups", {});
    expectError(res, 400, "validation_error", "name");
    expect(res.body.error?.message).toBe("name: is required");
    const plan = await api.post("/plans/manage", { name: 5 });
    expect(plan.body.error?.message).toBe("name: must be a string; code: is required");
  });
});
