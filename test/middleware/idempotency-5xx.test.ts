import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { sql } from "drizzle-orm";
import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { planGroups } from "../../src/db/schema";
import type { AppEnv } from "../../src/env";
import { newId } from "../../src/lib/ids";
import { idempotency } from "../../src/middleware/idempotency";
import { countRows, newIdempotencyKey, storedKey } from "../helpers/idempotency";
import { uniqueOrg } from "../helpers/keys";

/**
 * The real API has no route that fails after its write commits, so this mounts
 * the middleware over handlers that do, on the real D1 binding. The app's own
 * onError is stood in for: replays (HTTPException) as they are, anything else a 500.
 */
function appFor(orgId: string) {
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set("tenant", { orgId, mode: "test" });
    c.set("db", createDb(env.DB));
    await next();
  });
  app.use(idempotency());
  const insertGroup = (c: { var: AppEnv["Variables"] }) => {
    const now = Date.now();
    const db = c.var.db;
    return db.batch([
      db.insert(planGroups).values({
        id: newId("pgrp", now),
        orgId,
        mode: "test",
        name: "G",
        isPublic: true,
        createdAt: now,
        updatedAt: now,
      }),
    ]);
  };
  app.post("/after-write", async (c) => {
    await insertGroup(c);
    throw new Error("failed after the write committed");
  });
  app.post("/failed-write", async (c) => {
    await c.var.db.batch([c.var.db.run(sql`INSERT INTO no_such_table VALUES (1)`)]);
    return c.json({ never: true });
  });
  app.post("/ok", async (c) => {
    await insertGroup(c);
    return c.json({ ok: true }, 201);
  });
  app.onError((err, c) =>
    err instanceof HTTPException ? err.getResponse() : c.json({ error: "internal" }, 500),
  );
  return app;
}

async function send(app: Hono<AppEnv>, path: string, key: string) {
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request(`http://api.test${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "Idempotency-Key": key },
      body: "{}",
    }),
    env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

describe("Idempotency-Key and 5xx", () => {
  it("frees the key after a 5xx, so a retry runs again", async () => {
    const org = uniqueOrg();
    const app = appFor(org);
    const key = newIdempotencyKey();
    expect((await send(app, "/after-write", key)).status).toBe(500);
    expect(await storedKey(org, key)).toBeNull();
    // Documented trade-off: the failed request's write stays, and the retry writes again.
    expect((await send(app, "/after-write", key)).status).toBe(500);
    expect(await countRows("plan_groups", org)).toBe(2);
  });

  it("leaves no claim when the write batch itself fails", async () => {
    const org = uniqueOrg();
    const app = appFor(org);
    const key = newIdempotencyKey();
    expect((await send(app, "/failed-write", key)).status).toBe(500);
    expect(await storedKey(org, key)).toBeNull();
  });

  it("stores a response below 500 once the request is done", async () => {
    const org = uniqueOrg();
    const app = appFor(org);
    const key = newIdempotencyKey();
    const first = await send(app, "/ok", key);
    expect(first.status).toBe(201);
    expect(await storedKey(org, key)).toMatchObject({
      method: "POST",
      path: "/ok",
      status_code: 201,
      response_body: '{"ok":true}',
    });
    const retry = await send(app, "/ok", key);
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(await retry.text()).toBe('{"ok":true}');
    expect(await countRows("plan_groups", org)).toBe(1);
  });
});
