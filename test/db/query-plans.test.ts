import { createScheduledController } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { SCHEDULE } from "../../src/scheduled";
import { countingEnv } from "../helpers/counting";
import { uniqueOrg } from "../helpers/keys";
import { planProblems, queryPlanProblems } from "../helpers/query-plans";
import {
  createEndpoint,
  eventMessage,
  insertEvent,
  planData,
  RecordingQueue,
  receiver,
  runBatch,
  useReceivers,
} from "../helpers/webhooks";

useReceivers();
afterEach(() => vi.restoreAllMocks());

// The endpoints' statements are checked in test/budget.test.ts.
describe("query plans", () => {
  const tables = ["plans", "plan_groups", "webhook_deliveries"];

  it("the rule: a table scan or a tenant-wide read of plans is a problem, a page or an index search is not", () => {
    const search = "SEARCH plans USING INDEX plans_tenant_id_idx (org_id=? AND mode=?)";
    expect(planProblems("select ...", ["SCAN webhook_deliveries"], tables)).toEqual([
      "SCAN webhook_deliveries",
    ]);
    expect(planProblems("update plans ...", [search], tables)).toEqual([search]);
    expect(planProblems("select ... limit ?", [search], tables)).toEqual([]);
    expect(
      planProblems(
        "select ...",
        [
          "SEARCH plans USING INDEX plans_group_position_uq (plan_group_id=? AND org_id=? AND mode=?)",
          "SCAN j VIRTUAL TABLE INDEX 1:",
          "SCAN m",
          "SCAN (subquery-2)",
        ],
        tables,
      ),
    ).toEqual([]);
  });

  it("every statement of the cron jobs reads by index", async () => {
    const counting = countingEnv();
    vi.spyOn(console, "log").mockImplementation(() => {});
    const bindings = { ...counting.env, WEBHOOK_QUEUE: new RecordingQueue() };
    for (const cron of Object.keys(SCHEDULE)) {
      await worker.scheduled(createScheduledController({ cron }), bindings);
    }
    expect(counting.prepared.size).toBeGreaterThan(5);
    expect(await queryPlanProblems(counting.prepared)).toEqual([]);
  });

  it("every statement of the queue consumer reads by index, delivered, retried or marked", async () => {
    const orgId = uniqueOrg();
    const ok = receiver();
    const failing = receiver({ status: 500 });
    await createEndpoint({ orgId, url: ok.url });
    await createEndpoint({ orgId, url: failing.url });
    const eventId = await insertEvent({ orgId, type: "plan.created", data: planData() });
    const counting = countingEnv();
    vi.spyOn(console, "log").mockImplementation(() => {});
    await runBatch([eventMessage(eventId), { kind: "mark", at: Date.now() }], {
      bindings: { DB: counting.env.DB },
    });
    expect(ok.requests).toHaveLength(1);
    expect(failing.requests).toHaveLength(1);
    expect(counting.prepared.size).toBeGreaterThan(3);
    expect(await queryPlanProblems(counting.prepared)).toEqual([]);
  });
});
