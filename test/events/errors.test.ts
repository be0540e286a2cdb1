import { describe, expect, it } from "vitest";
import { EVENT_TYPES } from "../../src/webhooks/events";
import { client, expectError } from "../helpers/http";
import { listEvents } from "./helpers";

describe("GET /events: every bad parameter is a 400 naming it", () => {
  it.each([
    ["limit", ["0", "101", "x", "1.5", "-1", ""]],
    ["cursor", ["x", "eyJ4IjoxfQ", "x".repeat(600)]],
    ["type", ["plan.archived", "webhook.test", "*", "", "plan.created,", "PLAN.CREATED"]],
    ["objectId", ["", "x".repeat(256)]],
    [
      "createdAfter",
      [
        "yesterday",
        "2026-07-11",
        "2026-07-11T09:30:00",
        "2026-02-30T00:00:00Z",
        "2026-13-01T00:00:00Z",
        "2026-07-11T24:00:00Z",
        "1783814400000",
        "",
      ],
    ],
    ["createdBefore", ["tomorrow", "2026-07-11T09:30:00", "2026-02-29T00:00:00Z", ""]],
    ["deliveryFailed", ["yes", "1", "TRUE", ""]],
  ])("%s", async (param, values) => {
    const api = await client();
    for (const value of values) {
      const res = await api.get(`/events?${param}=${encodeURIComponent(value)}`);
      expectError(res, 400, "validation_error", param);
      expect(res.body.error?.message).toMatch(new RegExp(`^${param}: `));
    }
  });

  it("an unknown type says which name is wrong and what would do, also when repeated", async () => {
    const api = await client();
    for (const query of [
      "type=plan.archived",
      "type=plan.created,plan.archived",
      "type=plan.created&type=plan.archived",
    ]) {
      const res = await api.get(`/events?${query}`);
      expectError(res, 400, "validation_error", "type");
      expect(res.body.error?.message).toBe(
        `type: must be event types (${EVENT_TYPES.join(", ")}); "plan.archived" is not one`,
      );
    }
  });

  it("the other parameters may be given only once", async () => {
    const api = await client();
    for (const param of ["objectId", "createdAfter", "deliveryFailed", "limit"]) {
      const value =
        param === "createdAfter" ? "2026-07-11T00:00:00Z" : param === "limit" ? "1" : "true";
      const res = await api.get(`/events?${param}=${value}&${param}=${value}`);
      expectError(res, 400, "validation_error", param);
      expect(res.body.error?.message).toBe(`${param}: must be given only once`);
    }
  });

  it("a cursor of another organization, or of another list, is refused", async () => {
    const api = await client();
    const other = await client();
    for (let i = 0; i < 2; i++) await other.post("/plan-groups", { name: "G" });
    const foreign = (await listEvents(other, "limit=1")).nextCursor as string;
    expect(foreign).toBeDefined();
    expectError(await api.get(`/events?cursor=${foreign}`), 400, "validation_error", "cursor");
    const groups = await other.get<{ nextCursor: string }>("/plan-groups?limit=1");
    const groupCursor = groups.body.nextCursor;
    expectError(
      await other.get(`/events?cursor=${groupCursor}`),
      400,
      "validation_error",
      "cursor",
    );
    // Its own cursor, with other filters: a position in time, still valid.
    const res = await other.get(`/events?cursor=${foreign}&type=plan_group.created`);
    expect(res.status, res.text).toBe(200);
  });

  it("no key: 401 before any parameter is looked at", async () => {
    const res = await (await client()).call("GET", "/events?limit=0", {
      headers: { "x-api-key": "" },
    });
    expectError(res, 401, "unauthorized");
  });
});
