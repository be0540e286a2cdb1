import { describe, expect, it } from "vitest";
import { changedFields, presentEvent, UnpresentableEvent } from "../../src/events/present";
import type { PlanGroupRecord } from "../../src/plan-groups/queries";
import type { PlanRecord } from "../../src/plans/queries";
import { VERSIONS } from "../../src/versions";
import { API_VERSIONS } from "../../src/versions/ids";

const T0 = Date.UTC(2026, 6, 1);
const T1 = T0 + 60_000;

const group = (over: Partial<PlanGroupRecord> = {}): PlanGroupRecord => ({
  id: "pgrp_1",
  name: "Group",
  description: null,
  isPublic: true,
  createdAt: T0,
  updatedAt: T0,
  plans: [
    { id: "plan_a", name: "A", sortOrder: 0 },
    { id: "plan_b", name: "B", sortOrder: 1 },
  ],
  ...over,
});

const plan = (over: Partial<PlanRecord> = {}): PlanRecord => ({
  id: "plan_a",
  code: "a",
  name: "A",
  description: null,
  consumptionModel: null,
  isPublic: true,
  isFree: false,
  blockOnExhaustion: null,
  metadata: null,
  planGroupId: null,
  sortOrder: 0,
  createdAt: T0,
  updatedAt: T0,
  ...over,
});

/** An event as stored: internal state as JSON, as the outbox and history hold it. */
const stored = (
  type: string,
  data: unknown,
  previous: unknown = null,
  mode: "live" | "test" = "test",
) => ({
  id: "whev_1",
  mode,
  type,
  data: data === null ? null : JSON.stringify(data),
  previous: previous === null ? null : JSON.stringify(previous),
});

describe("changedFields", () => {
  it("gives the fields that differ, with their values before", () => {
    expect(
      changedFields(
        { name: "Old", description: null, isPublic: true },
        { name: "New", description: "now", isPublic: true },
      ),
    ).toEqual({ name: "Old", description: null });
  });

  it("leaves out updatedAt, which moves with every write", () => {
    expect(changedFields({ name: "A", updatedAt: "t0" }, { name: "A", updatedAt: "t1" })).toEqual(
      {},
    );
  });

  it("compares objects and arrays by value, in order", () => {
    const before = { metadata: { a: 1 }, plans: [{ id: "x" }, { id: "y" }] };
    expect(
      changedFields(before, { metadata: { a: 1 }, plans: [{ id: "x" }, { id: "y" }] }),
    ).toEqual({});
    expect(
      changedFields(before, { metadata: { a: 2 }, plans: [{ id: "y" }, { id: "x" }] }),
    ).toEqual(before);
  });

  it("reports a field that went from a value to null, or from null to a value", () => {
    expect(changedFields({ metadata: { a: 1 } }, { metadata: null })).toEqual({
      metadata: { a: 1 },
    });
    expect(changedFields({ metadata: null }, { metadata: { a: 1 } })).toEqual({ metadata: null });
  });
});

describe.each(API_VERSIONS)("presentEvent in %s", (version) => {
  const shapes = VERSIONS[version].shapes;

  it("plan_group.updated: data is the group detail, previousAttributes the changed fields", () => {
    const before = group();
    const after = group({ name: "Renamed", description: "Now described", updatedAt: T1 });
    expect(presentEvent(stored("plan_group.updated", after, before), version)).toEqual({
      data: shapes.planGroupDetail.present(after, { livemode: false }),
      previousAttributes: { name: "Group", description: null },
    });
  });

  it("plan.updated: the changed fields (metadata and visibility too), never updatedAt", () => {
    const before = plan({ metadata: { tier: "gold" } });
    const after = plan({ metadata: null, isPublic: false, updatedAt: T1 });
    const event = presentEvent(stored("plan.updated", after, before, "live"), version);
    expect(event).toEqual({
      data: shapes.plan.present(after, { livemode: true }),
      previousAttributes: { metadata: { tier: "gold" }, isPublic: true },
    });
  });

  it("plan_group.plans_reordered: the previous order as plans, sorted by position", () => {
    const before = group({
      plans: [
        { id: "plan_b", name: "B", sortOrder: 1 },
        { id: "plan_a", name: "A", sortOrder: 0 },
      ],
    });
    const after = group({
      updatedAt: T1,
      plans: [
        { id: "plan_b", name: "B", sortOrder: 0 },
        { id: "plan_a", name: "A", sortOrder: 1 },
      ],
    });
    const { data, previousAttributes } = presentEvent(
      stored("plan_group.plans_reordered", after, before),
      version,
    );
    expect(data.plans).toEqual(after.plans);
    expect(previousAttributes).toEqual({
      plans: [
        { id: "plan_a", name: "A", sortOrder: 0 },
        { id: "plan_b", name: "B", sortOrder: 1 },
      ],
    });
  });

  it("an update whose previous state is missing or unreadable says nothing of what changed", () => {
    const after = group({ updatedAt: T1 });
    expect(presentEvent(stored("plan_group.updated", after), version).previousAttributes).toBe(
      null,
    );
    const unreadable = { ...stored("plan_group.updated", after), previous: "{not json" };
    expect(presentEvent(unreadable, version).previousAttributes).toBe(null);
  });

  it("every other event carries previousAttributes: null, even with a previous state", () => {
    const before = group();
    const after = group({ name: "Renamed" });
    for (const type of [
      "plan_group.created",
      "plan_group.deleted",
      "plan_group.plan_added",
      "plan_group.plan_removed",
    ]) {
      expect(presentEvent(stored(type, after, before), version)).toEqual({
        data: shapes.planGroupDetail.present(after, { livemode: false }),
        previousAttributes: null,
      });
    }
    for (const type of ["plan.created", "plan.deleted"]) {
      expect(presentEvent(stored(type, plan({ name: "B" }), plan()), version)).toEqual({
        data: shapes.plan.present(plan({ name: "B" }), { livemode: false }),
        previousAttributes: null,
      });
    }
  });

  it("a test event's data goes out as is, with previousAttributes: null", () => {
    const data = { object: "webhook_test", endpointId: "whep_1", message: "A test event." };
    expect(presentEvent(stored("webhook.test", data), version)).toEqual({
      data,
      previousAttributes: null,
    });
  });

  it("data that cannot be read is an UnpresentableEvent", () => {
    expect(() => presentEvent(stored("plan.updated", null, plan()), version)).toThrow(
      UnpresentableEvent,
    );
    const broken = { ...stored("plan.created", plan()), data: "[1," };
    expect(() => presentEvent(broken, version)).toThrow(UnpresentableEvent);
  });
});
