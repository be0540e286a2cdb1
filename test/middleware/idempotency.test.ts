import { describe, expect, it } from "vitest";
import { client, expectError } from "../helpers/http";
import {
  countRows,
  keyed,
  newIdempotencyKey,
  settled,
  storedKey,
  untilStored,
} from "../helpers/idempotency";

type Group = { id: string; name: string };

describe("Idempotency-Key: replay", () => {
  it("replays the first response byte for byte and writes once", async () => {
    const c = await client();
    const key = newIdempotencyKey();
    const first = await keyed(c, "POST", "/plan-groups", key, { name: "Self-serve" });
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();

    const retry = await settled(() =>
      keyed(c, "POST", "/plan-groups", key, { name: "Self-serve" }),
    );
    expect(retry.status).toBe(201);
    expect(retry.text).toBe(first.text);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(retry.headers.get("content-type")).toBe(first.headers.get("content-type"));
    expect(retry.headers.get("x-request-id")).toMatch(/^req_/);
    expect(retry.headers.get("x-request-id")).not.toBe(first.headers.get("x-request-id"));

    expect(await countRows("plan_groups", c.orgId)).toBe(1);
    const stored = await storedKey(c.orgId, key);
    expect(stored).toMatchObject({ method: "POST", path: "/api/v1/plan-groups", status_code: 201 });
  });

  it("replays a write's error response instead of running it again", async () => {
    const c = await client();
    const one = await c.post<{ data: Group }>("/plan-groups", { name: "One" });
    const two = await c.post<{ data: Group }>("/plan-groups", { name: "Two" });
    const plan = await c.post<{ data: { id: string } }>("/plans/manage", {
      name: "Pro",
      code: "pro",
      planGroupId: one.body.data.id,
    });
    const planId = plan.body.data.id;
    const key = newIdempotencyKey();
    const add = () => keyed(c, "POST", `/plan-groups/${two.body.data.id}/plans`, key, { planId });

    const first = await add();
    expectError(first, 409, "duplicate", "planId");
    // Free the plan: running the add again would now succeed.
    expect((await c.del(`/plan-groups/${one.body.data.id}/plans/${planId}`)).status).toBe(200);

    const retry = await settled(add);
    expectError(retry, 409, "duplicate", "planId");
    expect(retry.text).toBe(first.text);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
  });

  it("replays a write the database refused (a taken code) instead of running it again", async () => {
    const c = await client();
    const taken = await c.post<{ data: { id: string } }>("/plans/manage", {
      name: "A",
      code: "pro",
    });
    const key = newIdempotencyKey();
    const create = () => keyed(c, "POST", "/plans/manage", key, { name: "B", code: "pro" });

    const first = await create();
    expectError(first, 409, "duplicate", "code");
    await untilStored(c.orgId, key);
    // Free the code: running the create again would now succeed.
    expect((await c.del(`/plans/${taken.body.data.id}/manage`)).status).toBe(200);

    const retry = await create();
    expect(retry.text).toBe(first.text);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(await countRows("plans", c.orgId)).toBe(1);
  });

  it("replays a 404 from a keyed add of an unknown plan", async () => {
    const c = await client();
    const group = await c.post<{ data: Group }>("/plan-groups", { name: "G" });
    const key = newIdempotencyKey();
    const body = { planId: "plan_0000000000000000000000000" };
    const path = `/plan-groups/${group.body.data.id}/plans`;
    const first = await keyed(c, "POST", path, key, body);
    expectError(first, 404, "plan_not_found", "planId");
    const retry = await settled(() => keyed(c, "POST", path, key, body));
    expect(retry.status).toBe(404);
    expect(retry.text).toBe(first.text);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
  });

  it("applies concurrent duplicates exactly once", async () => {
    const c = await client();
    const key = newIdempotencyKey();
    const send = () => keyed(c, "POST", "/plan-groups", key, { name: "Racing" });
    const results = await Promise.all(Array.from({ length: 6 }, send));

    const fresh = results.filter((r) => r.status === 201 && !r.headers.has("idempotent-replayed"));
    expect(fresh).toHaveLength(1);
    for (const r of results) {
      if (r === fresh[0]) continue;
      if (r.status === 201) expect(r.text).toBe(fresh[0]?.text);
      else expectError(r, 409, "idempotency_in_progress");
    }
    expect(await countRows("plan_groups", c.orgId)).toBe(1);
    expect((await settled(send)).text).toBe(fresh[0]?.text);
  });

  it("keeps keys apart per organization and mode", async () => {
    const key = newIdempotencyKey();
    const test = await client();
    const live = await client(test.orgId, "live");
    const other = await client();
    for (const c of [test, live, other]) {
      const res = await keyed(c, "POST", "/plan-groups", key, { name: "Same" });
      expect(res.status).toBe(201);
      expect(res.headers.get("idempotent-replayed")).toBeNull();
    }
  });
});

describe("Idempotency-Key: mismatch", () => {
  it("rejects the same key with a different body", async () => {
    const c = await client();
    const key = newIdempotencyKey();
    expect((await keyed(c, "POST", "/plan-groups", key, { name: "A" })).status).toBe(201);
    const res = await keyed(c, "POST", "/plan-groups", key, { name: "B" });
    expectError(res, 409, "idempotency_key_mismatch");
    expect(res.body.error?.details).toEqual({ method: "POST", path: "/api/v1/plan-groups" });
    expect(await countRows("plan_groups", c.orgId)).toBe(1);
  });

  it("rejects the same key on a different path", async () => {
    const c = await client();
    const key = newIdempotencyKey();
    expect((await keyed(c, "POST", "/plan-groups", key, { name: "A" })).status).toBe(201);
    const res = await keyed(c, "POST", "/plans/manage", key, { name: "A", code: "a" });
    expectError(res, 409, "idempotency_key_mismatch");
    expect(await countRows("plans", c.orgId)).toBe(0);
  });

  it("rejects the same key with a different method", async () => {
    const c = await client();
    const group = await c.post<{ data: Group }>("/plan-groups", { name: "A" });
    const path = `/plan-groups/${group.body.data.id}`;
    const key = newIdempotencyKey();
    expect((await keyed(c, "PUT", path, key, { name: "B" })).status).toBe(200);
    expectError(await keyed(c, "PATCH", path, key, { name: "B" }), 409, "idempotency_key_mismatch");
  });

  it("says mismatch, not in progress, while another request holds the key", async () => {
    const c = await client();
    const key = newIdempotencyKey();
    const [a, b] = await Promise.all([
      keyed(c, "POST", "/plan-groups", key, { name: "A" }),
      keyed(c, "POST", "/plan-groups", key, { name: "B" }),
    ]);
    const statuses = [a.status, b.status].sort();
    expect(statuses).toEqual([201, 409]);
    const loser = a.status === 409 ? a : b;
    expectError(loser, 409, "idempotency_key_mismatch");
  });
});

describe("Idempotency-Key: requests that write nothing", () => {
  it("stores nothing for a validation error or an empty update", async () => {
    const c = await client();
    const group = await c.post<{ data: Group }>("/plan-groups", { name: "A" });
    const key = newIdempotencyKey();
    expectError(
      await keyed(c, "POST", "/plan-groups", key, { name: "" }),
      400,
      "validation_error",
      "name",
    );
    const noop = await keyed(c, "PATCH", `/plan-groups/${group.body.data.id}`, key, {});
    expect(noop.status).toBe(200);
    expect(await storedKey(c.orgId, key)).toBeNull();
    // The key is still free for a real write.
    const created = await keyed(c, "POST", "/plan-groups", key, { name: "B" });
    expect(created.status).toBe(201);
    expect(created.headers.get("idempotent-replayed")).toBeNull();
  });

  it("ignores the header on DELETE and GET", async () => {
    const c = await client();
    const group = await c.post<{ data: Group }>("/plan-groups", { name: "A" });
    const path = `/plan-groups/${group.body.data.id}`;
    const headers = { "Idempotency-Key": "" };
    expect((await c.call("GET", path, { headers })).status).toBe(200);
    expect((await c.call("DELETE", path, { headers })).status).toBe(200);
  });
});

describe("Idempotency-Key: header validation", () => {
  const invalid: [string, string][] = [
    ["empty", ""],
    ["256 characters", "k".repeat(256)],
    ["non-ASCII", "clé"],
    ["a control character", "a\tb"],
  ];
  for (const [label, value] of invalid) {
    it(`rejects a key that is ${label}`, async () => {
      const c = await client();
      const res = await c.call("POST", "/plan-groups", {
        body: { name: "A" },
        headers: { "Idempotency-Key": value },
      });
      expectError(res, 400, "validation_error", "Idempotency-Key");
      expect(res.body.error?.details).toEqual([
        { field: "Idempotency-Key", message: "must be 1-255 printable ASCII characters" },
      ]);
      expect(await countRows("plan_groups", c.orgId)).toBe(0);
    });
  }

  it("accepts 255 printable characters, spaces and symbols included", async () => {
    const c = await client();
    const key = `${"a b~!".repeat(51)}`;
    expect(key).toHaveLength(255);
    expect((await keyed(c, "POST", "/plan-groups", key, { name: "A" })).status).toBe(201);
  });
});
