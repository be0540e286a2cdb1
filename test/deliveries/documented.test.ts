import { describe, expect, it } from "vitest";
import { operations, responseCodes } from "../../src/docs/decorate";
import type { ApiVersion } from "../../src/versions/ids";
import { HOUR, insertDelivery, insertEvent, postRecorded, setup } from "../helpers/history";
import type { ApiResponse, Body } from "../helpers/http";
import { fetchDocument } from "../helpers/openapi";
import { API_ROUTES } from "../helpers/routes";

/** Asserts the answer has a documented status, code and (strict) schema in `version`. */
async function expectDocumented(operationId: string, version: ApiVersion, res: ApiResponse) {
  const route = API_ROUTES.find((r) => r.operationId === operationId);
  const documented = route?.responses[version].get(res.status);
  expect(documented, `${operationId} ${version} answered ${res.status}: ${res.text}`).toBeDefined();
  const parsed = documented?.schema?.safeParse(res.body);
  expect(parsed?.success, `${operationId} ${version}: ${parsed?.error?.message}`).toBe(true);
  const code = (res.body as Body).error?.code;
  if (!code) return;
  const doc = await fetchDocument(version);
  const op = operations(doc).find((o) => o.op.operationId === operationId);
  expect(responseCodes(op?.op.responses?.[String(res.status)])).toContain(code);
}

describe("the deliveries operations answer what their documents say", () => {
  it.each(["2026-07-11", "2026-07-31"] as const)("in %s", async (version) => {
    const { api, endpoint } = await setup({ version });
    const off = await setup({ version, isActive: false });
    const event = await insertEvent(endpoint, { createdAt: Date.now() - HOUR });
    const id = await insertDelivery(endpoint, event, { status: "failed", attempts: 2 });
    const hook = `/webhooks/${endpoint.id}`;
    const since = new Date(Date.now() - 2 * HOUR).toISOString();
    const post = async (path: string, body?: unknown) => (await postRecorded(api, path, body)).res;
    const answers: [string, ApiResponse][] = [
      ["list-webhook-deliveries", await api.get(`${hook}/deliveries?limit=1`)],
      ["list-webhook-deliveries", await api.get(`${hook}/deliveries?status=lost`)],
      ["list-webhook-deliveries", await api.get("/webhooks/whep_nope/deliveries")],
      ["get-webhook-delivery", await api.get(`${hook}/deliveries/${id}`)],
      ["get-webhook-delivery", await api.get(`${hook}/deliveries/whdl_nope`)],
      ["retry-webhook-delivery", await post(`${hook}/deliveries/${id}/retry`)],
      ["retry-webhook-delivery", await post(`${hook}/deliveries/whdl_nope/retry`)],
      [
        "retry-webhook-delivery",
        (await postRecorded(off.api, `/webhooks/${off.endpoint.id}/deliveries/${id}/retry`)).res,
      ],
      ["recover-webhook-events", await post(`${hook}/recover`, { since })],
      ["recover-webhook-events", await post(`${hook}/recover`, { since: "later" })],
      ["recover-webhook-events", await post("/webhooks/whep_nope/recover", { since })],
    ];
    expect(answers.map(([, res]) => res.status)).toEqual([
      200, 400, 404, 200, 404, 200, 404, 409, 200, 400, 404,
    ]);
    for (const [operationId, res] of answers) {
      expect(res.headers.get("commet-version")).toBe(version);
      await expectDocumented(operationId, version, res);
    }
  });
});
