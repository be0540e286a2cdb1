import { describe, expect, it } from "vitest";
import { isBookmark, laterBookmark } from "../../src/lib/bookmarks";
import { cursorBookmark, decodeCursor } from "../../src/lib/cursor";
import { sha256Hex } from "../../src/lib/encoding";
import { sessionStart } from "../../src/middleware/database";
import { countingEnv } from "../helpers/counting";
import { createGroup, type Envelope, type PlanGroupData } from "../helpers/factories";
import { type Body, client, expectError } from "../helpers/http";

const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/;

describe("D1 sessions and x-d1-bookmark", () => {
  it("returns a bookmark on reads and writes", async () => {
    const api = await client();
    const write = await api.post("/plan-groups", { name: "g" });
    const read = await api.get("/plan-groups");
    expect(write.headers.get("x-d1-bookmark")).toMatch(BOOKMARK);
    expect(read.headers.get("x-d1-bookmark")).toMatch(BOOKMARK);
  });

  it("a read that sends the write's bookmark sees the write", async () => {
    const api = await client();
    const write = await api.post<Envelope<PlanGroupData>>("/plan-groups", { name: "mine" });
    const bookmark = write.headers.get("x-d1-bookmark") as string;
    const read = await api.call<Envelope<PlanGroupData>>(
      "GET",
      `/plan-groups/${write.body.data.id}`,
      {
        headers: { "x-d1-bookmark": bookmark },
      },
    );
    expect(read.status).toBe(200);
    expect(read.body.data.name).toBe("mine");
    expect((read.headers.get("x-d1-bookmark") ?? "") >= bookmark).toBe(true);
  });

  it("ignores a malformed bookmark instead of failing", async () => {
    const api = await client();
    const group = await createGroup(api);
    for (const bad of ["garbage", "first-primary", "x".repeat(300)]) {
      const res = await api.call("GET", `/plan-groups/${group.id}`, {
        headers: { "x-d1-bookmark": bad },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("x-d1-bookmark")).toMatch(BOOKMARK);
    }
  });

  it("a write with a stale bookmark still goes to the primary", async () => {
    const api = await client();
    const res = await api.call("POST", "/plan-groups", {
      body: { name: "g" },
      headers: { "x-d1-bookmark": "00000000-00000000-00000000-00000000000000000000000000000000" },
    });
    expect(res.status).toBe(201);
  });
});

describe("where a request's D1 session starts (read your own writes by default)", () => {
  const OLD = "00000000-00000000-00000000-00000000000000000000000000000000";

  it("a read without a bookmark starts at the primary, so a client that sends none sees its writes", async () => {
    const api = await client();
    const { request } = countingEnv();
    const created = await request("POST", "/plan-groups", api.key, { name: "g" });
    expect(created.sessions).toEqual(["first-primary"]);
    const id = (created.body.data as { id: string }).id;
    for (const path of [`/plan-groups/${id}`, "/plan-groups", "/plans?includePrivate=true"]) {
      const read = await request("GET", path, api.key);
      expect({ path, status: read.status, sessions: read.sessions }).toEqual({
        path,
        status: 200,
        sessions: ["first-primary"],
      });
    }
  });

  it("a read with the client's bookmark may use a replica at least that fresh", async () => {
    const api = await client();
    const { request } = countingEnv();
    const created = await request("POST", "/plan-groups", api.key, { name: "g" });
    const bookmark = created.headers.get("x-d1-bookmark") as string;
    const read = await request("GET", "/plan-groups", api.key, undefined, {
      "x-d1-bookmark": bookmark,
    });
    expect(read.sessions).toEqual([bookmark]);
  });

  it("a malformed bookmark, or one sent with a write, starts at the primary", async () => {
    const api = await client();
    const { request } = countingEnv();
    const read = await request("GET", "/plan-groups", api.key, undefined, {
      "x-d1-bookmark": "first-unconstrained",
    });
    expect(read.sessions).toEqual(["first-primary"]);
    const write = await request(
      "POST",
      "/plan-groups",
      api.key,
      { name: "g" },
      {
        "x-d1-bookmark": OLD,
      },
    );
    expect(write.sessions).toEqual(["first-primary"]);
  });

  it("the next page is read at least as fresh as the page its cursor came from", async () => {
    const api = await client();
    for (let i = 0; i < 3; i++) await createGroup(api);
    const { request } = countingEnv();
    const first = await request("GET", "/plan-groups?limit=2", api.key);
    const pageState = first.headers.get("x-d1-bookmark") as string;
    const cursor = first.body.nextCursor as string;
    expect(cursorBookmark(cursor)).toBe(pageState);
    // The client keeps sending an older bookmark: the cursor's wins.
    const next = await request("GET", `/plan-groups?limit=2&cursor=${cursor}`, api.key, undefined, {
      "x-d1-bookmark": OLD,
    });
    expect({ status: next.status, sessions: next.sessions }).toEqual({
      status: 200,
      sessions: [pageState],
    });
    // A newer bookmark of the client's wins over the cursor's.
    const newer = await request("POST", "/plan-groups", api.key, { name: "later" });
    const latest = newer.headers.get("x-d1-bookmark") as string;
    expect(latest > pageState).toBe(true);
    const after = await request(
      "GET",
      `/plan-groups?limit=2&cursor=${cursor}`,
      api.key,
      undefined,
      {
        "x-d1-bookmark": latest,
      },
    );
    expect(after.sessions).toEqual([latest]);
    // Without a bookmark of its own, the client's next page comes from the primary.
    const plain = await request("GET", `/plan-groups?limit=2&cursor=${cursor}`, api.key);
    expect(plain.sessions).toEqual(["first-primary"]);
  });

  it("rejects a cursor whose bookmark was edited", async () => {
    const api = await client();
    for (let i = 0; i < 2; i++) await createGroup(api);
    const page = await api.get<Body>("/plan-groups?limit=1");
    const [version, after, , sum] = JSON.parse(
      atob((page.body.nextCursor as string).replace(/-/g, "+").replace(/_/g, "/")),
    );
    const edited = btoa(JSON.stringify([version, after, OLD, sum]))
      .replace(/\+/g, "-")
      .replace(/\//g, "_")
      .replace(/=+$/, "");
    expectError(await api.get(`/plan-groups?cursor=${edited}`), 400, "validation_error", "cursor");
  });

  it("still reads a version 1 cursor (no bookmark), as issued before", async () => {
    const api = await client();
    const groups = [await createGroup(api), await createGroup(api)];
    const tenant = { orgId: api.orgId, mode: api.mode };
    const sum = (await sha256Hex(`1|${api.orgId}|test|plan_groups|${groups[1]?.id}`)).slice(0, 16);
    const v1 = btoa(JSON.stringify([1, groups[1]?.id, sum])).replace(/=+$/, "");
    expect(await decodeCursor(tenant, "plan_groups", v1)).toBe(groups[1]?.id);
    const res = await api.get<Envelope<PlanGroupData[]>>(`/plan-groups?cursor=${v1}`);
    expect(res.body.data.map((g) => g.id)).toEqual([groups[0]?.id]);
  });
});

describe("bookmarks", () => {
  it("compares them as D1 orders them, oldest to newest", () => {
    const older = "00000085-0000024c-00004c6d-8e61117bf38d7adb71b934ebbf891683";
    const newer = "00000085-0000024d-00000001-0000000000000000000000000000000a";
    expect(laterBookmark(older, newer)).toBe(newer);
    expect(laterBookmark(newer, older)).toBe(newer);
    expect(laterBookmark(older, null)).toBe(older);
  });

  it("accepts D1's bookmark shapes and nothing else", () => {
    expect(isBookmark("00000085-0000024c-00004c6d-8e61117bf38d7adb71b934ebbf891683")).toBe(true);
    expect(isBookmark(`00000085-0000024c-00004c6d-${"ab".repeat(32)}`)).toBe(true);
    for (const bad of ["first-primary", "", "00000085-0000024c-00004c6d", `${"0".repeat(8)}-x`]) {
      expect(isBookmark(bad)).toBe(false);
    }
  });

  it("starts sessions as documented", () => {
    const b = "00000085-0000024c-00004c6d-8e61117bf38d7adb71b934ebbf891683";
    expect(sessionStart("GET", undefined)).toBe("first-primary");
    expect(sessionStart("HEAD", b)).toBe(b);
    expect(sessionStart("GET", b, "not-a-cursor")).toBe(b);
    for (const method of ["POST", "PUT", "PATCH", "DELETE"]) {
      expect(sessionStart(method, b)).toBe("first-primary");
    }
  });
});
