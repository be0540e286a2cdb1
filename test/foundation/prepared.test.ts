import { env } from "cloudflare:test";
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { inTenant } from "../../src/db/helpers";
import {
  changes,
  firstRow,
  param,
  preparedBatch,
  preparedRead,
  tenantParams,
} from "../../src/db/prepared";
import { planGroups, plans } from "../../src/db/schema";
import { newId } from "../../src/lib/ids";
import { uniqueOrg } from "../helpers/keys";

const db = createDb(env.DB);

async function seedPlan(orgId: string) {
  const now = Date.now();
  const id = newId("plan");
  await db.batch([
    db.insert(plans).values({
      id,
      orgId,
      mode: "test",
      code: `code_${id}`,
      name: "Pro",
      isPublic: true,
      isFree: false,
      metadata: { seats: 3, nested: { tier: "pro" } },
      createdAt: now,
      updatedAt: now,
    }),
  ]);
  return id;
}

/** A plan by ID in one tenant, with a column and an SQL expression selected. */
function planById(onBuild: () => void) {
  return preparedRead(
    {
      id: plans.id,
      isPublic: plans.isPublic,
      isFree: plans.isFree,
      metadata: plans.metadata,
      description: plans.description,
      nameLength: sql<number>`length(${plans.name})`,
    },
    (select) => {
      onBuild();
      return select()
        .from(plans)
        .where(and(eq(plans.id, param("id")), inTenant(plans, tenantParams)));
    },
  );
}

describe("preparedRead", () => {
  it("builds its SQL once and fills the placeholders on every call", async () => {
    const orgId = uniqueOrg();
    const [a, b] = [await seedPlan(orgId), await seedPlan(orgId)];
    let builds = 0;
    const read = planById(() => builds++);
    expect(builds).toBe(0);
    const [first] = await read(db, { orgId, mode: "test", id: a });
    const [second] = await read(db, { orgId, mode: "test", id: b });
    expect([first?.id, second?.id]).toEqual([a, b]);
    expect(builds).toBe(1);
  });

  it("decodes rows with the columns' own decoders, as drizzle does", async () => {
    const orgId = uniqueOrg();
    const id = await seedPlan(orgId);
    const [row] = await planById(() => {})(db, { orgId, mode: "test", id });
    expect(row).toEqual({
      id,
      isPublic: true,
      isFree: false,
      metadata: { seats: 3, nested: { tier: "pro" } },
      description: null,
      nameLength: 3,
    });
    const [viaDrizzle] = await db.select().from(plans).where(eq(plans.id, id));
    expect(row?.metadata).toEqual(viaDrizzle?.metadata);
  });

  it("binds the tenant: another organization or mode sees nothing", async () => {
    const orgId = uniqueOrg();
    const id = await seedPlan(orgId);
    const read = planById(() => {});
    expect(await read(db, { orgId: uniqueOrg(), mode: "test", id })).toEqual([]);
    expect(await read(db, { orgId, mode: "live", id })).toEqual([]);
  });
});

describe("preparedBatch", () => {
  // Renames a group only if it is still called `from`, then reports its name.
  const rename = preparedBatch((batchDb) => [
    batchDb
      .update(planGroups)
      .set({ name: param("to"), updatedAt: param("now") })
      .where(
        and(
          eq(planGroups.id, param("id")),
          inTenant(planGroups, tenantParams),
          eq(planGroups.name, param("from")),
        ),
      ),
    batchDb
      .select({ name: sql`${planGroups.name}`.as("name") })
      .from(planGroups)
      .where(eq(planGroups.id, param("id"))),
  ]);

  it("runs its statements in one batch and returns D1's results", async () => {
    const orgId = uniqueOrg();
    const id = newId("pgrp");
    const now = Date.now();
    await db.batch([
      db.insert(planGroups).values({
        id,
        orgId,
        mode: "test",
        name: "Old",
        isPublic: true,
        createdAt: now,
        updatedAt: now,
      }),
    ]);
    const tenant = { orgId, mode: "test" as const };
    const done = await rename(db, { ...tenant, id, from: "Old", to: "New", now });
    expect(changes(done[0])).toBe(1);
    expect(firstRow<{ name: string }>(done[1])).toEqual({ name: "New" });

    const stale = await rename(db, { ...tenant, id, from: "Old", to: "Newer", now });
    expect(changes(stale[0])).toBe(0);
    expect(firstRow<{ name: string }>(stale[1])).toEqual({ name: "New" });
  });
});
