import { env } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { HOUR, insertDelivery, insertEvent, setup } from "../helpers/history";
import { planProblems } from "../helpers/query-plans";
import { RecordingQueue } from "../helpers/webhooks";

/** HISTORY_DB, noting every SQL text prepared through it. */
function recordingHistory() {
  const prepared = new Set<string>();
  const db = new Proxy(env.HISTORY_DB, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target);
      if (typeof value !== "function") return value;
      if (prop === "prepare") {
        return (query: string) => {
          prepared.add(query);
          return value.call(target, query);
        };
      }
      return value.bind(target);
    },
  });
  return { db, prepared };
}

async function plansOf(statements: Iterable<string>) {
  const out: { sql: string; details: string[] }[] = [];
  for (const sql of statements) {
    const params = Array.from(sql.matchAll(/\?/g), () => null);
    const { results } = await env.HISTORY_DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .bind(...params)
      .all<{ detail: string }>();
    out.push({ sql, details: results.map((r) => r.detail) });
  }
  return out;
}

describe("the deliveries API's history statements", () => {
  it("read by index: no table scan", async () => {
    const { api, endpoint } = await setup();
    const id = await insertDelivery(endpoint, await insertEvent(endpoint), { attempts: 2 });
    const { db, prepared } = recordingHistory();
    const bindings = { HISTORY_DB: db, WEBHOOK_QUEUE: new RecordingQueue() };
    const base = `/webhooks/${endpoint.id}/deliveries`;
    for (const [method, path, body] of [
      ["GET", base, undefined],
      ["GET", `${base}?status=failed&type=plan.created`, undefined],
      ["GET", `${base}/${id}`, undefined],
      ["POST", `${base}/${id}/retry`, undefined],
      [
        "POST",
        `/webhooks/${endpoint.id}/recover`,
        { since: new Date(Date.now() - HOUR).toISOString() },
      ],
    ] as const) {
      const res = await api.call(method, path, { bindings, ...(body ? { body } : {}) });
      expect(res.status, `${method} ${path}`).toBe(200);
    }
    await insertDelivery(endpoint, await insertEvent(endpoint));
    const first = await api.get<{ nextCursor?: string }>(`${base}?limit=1`);
    const next = await api.call("GET", `${base}?limit=1&cursor=${first.body.nextCursor}`, {
      bindings,
    });
    expect(next.status).toBe(200);
    const plans = await plansOf(prepared);
    const { results } = await env.HISTORY_DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table'",
    ).all<{ name: string }>();
    const tables = results.map((t) => t.name);
    expect(plans.flatMap((p) => planProblems(p.sql, p.details, tables))).toEqual([]);
    const pages = plans.filter((p) => /order by "deliveries"."id" desc/.test(p.sql));
    expect(pages.map((p) => p.sql.includes('"deliveries"."id" < ?'))).toEqual([false, true]);
    for (const page of pages) {
      expect(page.details).toEqual(
        expect.arrayContaining([
          expect.stringMatching(/^SEARCH deliveries USING INDEX deliveries_endpoint_id_idx /),
          expect.stringMatching(/^SEARCH attempts USING INDEX attempts_delivery_idx /),
        ]),
      );
    }
    // Recover seeks the tenant's events by ID, and finds what it queued by the pending index.
    const details = plans.flatMap((p) => p.details);
    expect(details).toContain(
      "SEARCH events USING INDEX events_tenant_id_idx (org_id=? AND mode=? AND id>? AND id<?)",
    );
    expect(details).toContain(
      "SEARCH deliveries USING INDEX deliveries_pending_idx (next_attempt_at=?)",
    );
  });
});
