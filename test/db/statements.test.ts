import { env } from "cloudflare:test";
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { Db, type RecordedEvent } from "../../src/db/database";
import { planGroups, plans } from "../../src/db/schema";
import { inTenant } from "../../src/db/sql";
import {
  change,
  defineRead,
  defineWrite,
  param,
  select,
  tenantParams,
} from "../../src/db/statements";
import { newId } from "../../src/lib/ids";
import { record } from "../../src/webhooks/outbox";
import { uniqueOrg } from "../helpers/keys";

const db = new Db(env.DB);

async function seedPlan(orgId: string) {
  const id = newId("plan");
  await env.DB.prepare(
    `INSERT INTO plans (id, org_id, mode, code, name, is_public, is_free, metadata, sort_order, created_at, updated_at)
     VALUES (?, ?, 'test', ?, 'Pro', 1, 0, ?, 0, 1, 1)`,
  )
    .bind(id, orgId, `code_${id}`, JSON.stringify({ seats: 3, nested: { tier: "pro" } }))
    .run();
  return id;
}

/** A plan by ID in one tenant, with columns and an SQL expression selected. */
function planById(onBuild: () => void) {
  return defineRead(
    {
      id: plans.id,
      isPublic: plans.isPublic,
      isFree: plans.isFree,
      metadata: plans.metadata,
      description: plans.description,
      nameLength: sql<number>`length(${plans.name})`,
    },
    (from) => {
      onBuild();
      return from()
        .from(plans)
        .where(and(eq(plans.id, param("id")), inTenant(plans, tenantParams)));
    },
  );
}

describe("defineRead", () => {
  it("compiles its SQL once and binds the values of every call", async () => {
    const orgId = uniqueOrg();
    const [a, b] = [await seedPlan(orgId), await seedPlan(orgId)];
    let builds = 0;
    const read = planById(() => builds++);
    expect(builds).toBe(0);
    const [first] = await db.read(read, { orgId, mode: "test", id: a });
    const [second] = await db.read(read, { orgId, mode: "test", id: b });
    expect([first?.id, second?.id]).toEqual([a, b]);
    expect(builds).toBe(1);
  });

  it("decodes rows with the columns' own decoders (booleans, JSON)", async () => {
    const orgId = uniqueOrg();
    const id = await seedPlan(orgId);
    const [row] = await db.read(
      planById(() => {}),
      { orgId, mode: "test", id },
    );
    expect(row).toEqual({
      id,
      isPublic: true,
      isFree: false,
      metadata: { seats: 3, nested: { tier: "pro" } },
      description: null,
      nameLength: 3,
    });
  });

  it("binds the tenant: another organization or mode sees nothing", async () => {
    const orgId = uniqueOrg();
    const id = await seedPlan(orgId);
    const read = planById(() => {});
    expect(await db.read(read, { orgId: uniqueOrg(), mode: "test", id })).toEqual([]);
    expect(await db.read(read, { orgId, mode: "live", id })).toEqual([]);
  });
});

describe("defineWrite", () => {
  const group = and(eq(planGroups.id, param("id")), inTenant(planGroups, tenantParams));
  // Renames a group only if it is still called `from`, then reports its name.
  const rename = defineWrite({
    rename: change((b) =>
      b
        .update(planGroups)
        .set({ name: param("to"), updatedAt: param("now") })
        .where(and(group, eq(planGroups.name, param("from")))),
    ),
    state: select({ name: planGroups.name }, (from) => from().from(planGroups).where(group)),
  });

  it("runs its statements in one batch and returns each result by name", async () => {
    const orgId = uniqueOrg();
    const id = newId("pgrp");
    await env.DB.prepare(
      "INSERT INTO plan_groups (id, org_id, mode, name, is_public, created_at, updated_at) VALUES (?, ?, 'test', 'Old', 1, 1, 1)",
    )
      .bind(id, orgId)
      .run();
    const tenant = { orgId, mode: "test" as const };
    const done = await db.write(rename, { ...tenant, id, from: "Old", to: "New", now: 2 });
    expect(done).toEqual({ rename: 1, state: [{ name: "New" }] });
    const stale = await db.write(rename, { ...tenant, id, from: "Old", to: "Newer", now: 3 });
    expect(stale).toEqual({ rename: 0, state: [{ name: "New" }] });
  });

  it("refuses a write that only reads: it would claim an Idempotency-Key without writing", () => {
    expect(() =>
      defineWrite({ state: select({ one: sql<number>`1` }, (from) => from().from(planGroups)) }),
    ).toThrow(/at least one INSERT, UPDATE or DELETE/);
  });

  it("gives each event it records an id, and reports those to deliver", async () => {
    const orgId = uniqueOrg();
    // One endpoint subscribed to plan.created: that event goes to the queue.
    await env.DB.prepare(
      `INSERT INTO webhook_endpoints (id, org_id, mode, url, events, is_active, secret, created_at, updated_at)
       VALUES (?, ?, 'test', 'https://example.com/h', '["plan.created"]', 1, 'enc', 0, 0)`,
    )
      .bind(newId("whep"), orgId)
      .run();
    const write = defineWrite({
      yes: record("plan.created", { when: sql`${param("record")} = 1`, data: sql`'{}'` }),
      no: record("plan.deleted", { when: sql`0`, data: sql`'{}'` }),
    });
    const seen: RecordedEvent[] = [];
    const out = await db
      .with({ onEvents: (events) => seen.push(...events) })
      .write(write, { orgId, mode: "test", now: 1, record: 1 });
    expect(out).toEqual({ yes: true, no: false });
    expect(seen).toEqual([{ id: expect.stringMatching(/^whev_/), type: "plan.created" }]);
    const row = await env.DB.prepare("SELECT type FROM webhook_events WHERE id = ?")
      .bind(seen[0]?.id)
      .first<{ type: string }>();
    expect(row?.type).toBe("plan.created");
  });

  it("records every event for hand-off, subscribed or not, naming the request that made it", async () => {
    const orgId = uniqueOrg();
    const write = defineWrite({
      yes: record("plan.created", { when: sql`1`, data: sql`'{}'` }),
    });
    const seen: RecordedEvent[] = [];
    const out = await db
      .with({
        onEvents: (events) => seen.push(...events),
        request: { id: "req_abc", idempotencyKey: "key-1" },
      })
      .write(write, { orgId, mode: "test", now: 5 });
    expect(out).toEqual({ yes: true });
    expect(seen).toEqual([{ id: expect.stringMatching(/^whev_/), type: "plan.created" }]);
    const row = await env.DB.prepare(
      "SELECT dispatched_at AS d, request_id AS r, idempotency_key AS k FROM webhook_events WHERE org_id = ?",
    )
      .bind(orgId)
      .first();
    expect(row).toEqual({ d: null, r: "req_abc", k: "key-1" });
  });
});
