import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { setMarkDelay } from "../../src/api-keys/mark";
import { countingEnv } from "../helpers/counting";
import { client } from "../helpers/http";
import { queryPlanProblems } from "../helpers/query-plans";

beforeAll(() => setMarkDelay(0));
afterAll(() => setMarkDelay());

// The API key rows of the "Round trips" table (docs/performance.md), with a lineage to walk.
describe("API key endpoints: round trips and query plans", () => {
  it("create 1 (its listed mark after the response is KV only), list 1, delete 2 with what it made, refusals 1", async () => {
    const api = await client();
    const { request, prepared } = countingEnv();
    await request("GET", "/api-keys", api.key);
    const created = await request("POST", "/api-keys", api.key, { name: "parent" });
    expect({ status: created.status, ...created.counts }).toEqual({ status: 201, d1: 1, kvGet: 0 });
    const parent = created.body.data as { id: string; apiKey: string };
    await request("GET", "/plans", parent.apiKey);
    await request("POST", "/api-keys", parent.apiKey, { name: "child" });
    const sibling = (await request("POST", "/api-keys", api.key, { name: "sibling" })).body
      .data as { id: string };
    const list = await request("GET", "/api-keys", api.key);
    expect({ status: list.status, ...list.counts }).toEqual({ status: 200, d1: 1, kvGet: 0 });
    const forbidden = await request("DELETE", `/api-keys/${sibling.id}`, parent.apiKey);
    expect({ status: forbidden.status, ...forbidden.counts }).toEqual({
      status: 403,
      d1: 1,
      kvGet: 0,
    });
    const unknown = await request(
      "DELETE",
      "/api-keys/key_01m8cjah6ems22m6940mpxezdh",
      parent.apiKey,
    );
    expect({ status: unknown.status, ...unknown.counts }).toEqual({ status: 404, d1: 1, kvGet: 0 });
    const deleted = await request("DELETE", `/api-keys/${parent.id}`, parent.apiKey);
    expect({ status: deleted.status, ...deleted.counts }).toEqual({ status: 200, d1: 2, kvGet: 0 });
    expect(prepared.size).toBeGreaterThan(4);
    expect(await queryPlanProblems(prepared)).toEqual([]);
  });
});
