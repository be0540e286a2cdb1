import { describe, expect, it } from "vitest";
import { operations, responseCodes } from "../../src/docs/decorate";
import type { OpenApiDocument } from "../../src/docs/openapi";
import { type ApiResponse, type Body, client } from "../helpers/http";
import { fetchDocument } from "../helpers/openapi";

type Id = { id: string };

/** Fails when the worker answers with a status or error code the operation does not document. */
function expectDocumented(doc: OpenApiDocument, operationId: string, res: ApiResponse) {
  const found = operations(doc).find(({ op }) => op.operationId === operationId);
  if (!found) throw new Error(`no operation ${operationId}`);
  const response = found.op.responses?.[String(res.status)];
  expect(
    response,
    `${operationId} answered ${res.status}: ${res.text.slice(0, 200)}`,
  ).toBeDefined();
  const code = (res.body as Body).error?.code;
  if (code) expect(responseCodes(response), `${operationId} ${res.status}`).toContain(code);
}

describe("the document matches what the worker answers", () => {
  it("for every operation, on success and on its usual errors", async () => {
    const doc = await fetchDocument();
    const api = await client();
    const check = (operationId: string, res: ApiResponse) => {
      expectDocumented(doc, operationId, res);
      return res;
    };
    const code = `c${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const group = await api.post<{ data: Id }>("/plan-groups", { name: "Docs" });
    check("create-plan-group", group);
    const gid = group.body.data.id;
    const plan = await api.post<{ data: Id }>("/plans/manage", { name: "A", code });
    check("create-plan", plan);
    const pid = plan.body.data.id;
    check("create-plan", await api.post("/plans/manage", { name: "A", code }));
    check("create-plan", await api.post("/plans/manage", { name: "" }));
    check("list-plan-groups", await api.get("/plan-groups?limit=1"));
    check("list-plan-groups", await api.get("/plan-groups?limit=0"));
    check("get-plan-group", await api.get(`/plan-groups/${gid}`));
    check("get-plan-group", await api.get("/plan-groups/pgrp_missing"));
    check("get-plan-group", await api.get(`/plan-groups/${"x".repeat(300)}`));
    check("update-plan-group", await api.put(`/plan-groups/${gid}`, { name: "Docs 2" }));
    check("patch-plan-group", await api.patch(`/plan-groups/${gid}`, { nope: 1 }));
    check("add-plan-to-group", await api.post(`/plan-groups/${gid}/plans`, { planId: pid }));
    check("add-plan-to-group", await api.post(`/plan-groups/${gid}/plans`, { planId: pid }));
    check("add-plan-to-group", await api.post(`/plan-groups/${gid}/plans`, { planId: "plan_x" }));
    check(
      "reorder-plans-in-group",
      await api.put(`/plan-groups/${gid}/plans/reorder`, { planIds: [pid] }),
    );
    check(
      "reorder-plans-in-group",
      await api.put(`/plan-groups/${gid}/plans/reorder`, { planIds: [] }),
    );
    check("remove-plan-from-group", await api.del(`/plan-groups/${gid}/plans/${pid}`));
    check("remove-plan-from-group", await api.del(`/plan-groups/${gid}/plans/${pid}`));
    check("list-plans", await api.get("/plans?includePrivate=true"));
    check("list-plans", await api.get("/plans?cursor=nope"));
    check("get-plan", await api.get(`/plans/${code}`));
    check("get-plan", await api.get("/plans/missing_plan"));
    check("update-plan", await api.put(`/plans/${pid}/manage`, { metadata: { a: 1 } }));
    check("set-plan-visibility", await api.put(`/plans/${pid}/visibility`, { isPublic: false }));
    check("set-plan-visibility", await api.put(`/plans/${pid}/visibility`, {}));
    check("delete-plan", await api.del(`/plans/${pid}/manage`));
    check("delete-plan", await api.del(`/plans/${pid}/manage`));
    check("delete-plan-group", await api.del(`/plan-groups/${gid}`));
    check("delete-plan-group", await api.del(`/plan-groups/${gid}`));
    const events = check("list-events", await api.get("/events?limit=1"));
    check("list-events", await api.get("/events?type=plan.archived"));
    check("list-events", await api.get("/events?createdAfter=yesterday"));
    const eid = (events.body as { data: Id[] }).data[0]?.id;
    check("get-event", await api.get(`/events/${eid}`));
    check("get-event", await api.get("/events/whev_missing"));
    const noKey = await api.call("GET", "/plans", { headers: { "x-api-key": "" } });
    check("list-plans", noKey);
    expect(noKey.status).toBe(401);
  });
});
