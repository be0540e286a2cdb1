/**
 * Quickstart with the typed client: creates three plans and a group, puts the
 * plans in the group, reverses their order and prints the group.
 *
 *   npm run dev            # in one terminal (writes .wrangler/demo-key)
 *   npm run example        # in another; API_URL and API_KEY override the defaults
 *
 * API_URL is the server's origin; the README's `.../api/v1` form works too.
 */
import { existsSync, readFileSync } from "node:fs";
import { hc } from "hono/client";
import type { AppType } from "../src/app";

const baseUrl = (process.env.API_URL ?? "http://localhost:8787")
  .replace(/\/+$/, "")
  .replace(/\/api\/v1$/, "");
const apiKey =
  process.env.API_KEY ??
  (existsSync(".wrangler/demo-key") ? readFileSync(".wrangler/demo-key", "utf8").trim() : "");
if (!apiKey) {
  console.error("Set API_KEY, or run `npm run dev` first: it writes .wrangler/demo-key.");
  process.exit(1);
}

/** No server to talk to is a setup step, not a crash: one line, no stack. */
const fetchOrExit: typeof fetch = (input, init) =>
  fetch(input, init).catch(() => {
    console.error(
      `Cannot reach ${baseUrl}: run \`npm run dev\` in another terminal, or set API_URL.`,
    );
    process.exit(1);
  });

const client = hc<AppType>(baseUrl, { headers: { "x-api-key": apiKey }, fetch: fetchOrExit });
const api = client.api.v1;

type Envelope = { success: boolean; error?: { code: string; message: string } };

/** Returns the success body, typed by the route; exits on anything else. */
async function expectOk<T extends Envelope>(
  what: string,
  response: Promise<{ status: number; json(): Promise<T> }>,
): Promise<Extract<T, { success: true }>> {
  const res = await response;
  const body = await res.json();
  if (!body.success) {
    console.error(`${what} failed with ${res.status}:`, body.error);
    process.exit(1);
  }
  return body as Extract<T, { success: true }>;
}

// Codes are unique per organization and mode, so each run makes its own.
const run = Date.now().toString(36);
const plans = [];
for (const name of ["Starter", "Pro", "Enterprise"]) {
  const { data } = await expectOk(
    `create plan ${name}`,
    api.plans.manage.$post({
      json: { name, code: `${name.toLowerCase()}_${run}`, consumptionModel: "metered" },
    }),
  );
  plans.push(data);
}

// An Idempotency-Key makes a write safe to retry: a retry gets the first response back.
const { data: group } = await expectOk(
  "create group",
  api["plan-groups"].$post(
    { json: { name: `Self-serve ${run}`, description: "Quickstart" } },
    { headers: { "Idempotency-Key": crypto.randomUUID() } },
  ),
);
const groupRoutes = api["plan-groups"][":id"];

for (const plan of plans) {
  const { data } = await expectOk(
    `add ${plan.code}`,
    groupRoutes.plans.$post({ param: { id: group.id }, json: { planId: plan.id } }),
  );
  console.log(`added ${plan.name} at position ${data.sortOrder}`);
}

await expectOk(
  "reorder",
  groupRoutes.plans.reorder.$put({
    param: { id: group.id },
    json: { planIds: plans.map((p) => p.id).reverse() },
  }),
);

const { data: final } = await expectOk("get group", groupRoutes.$get({ param: { id: group.id } }));
console.log(JSON.stringify(final, null, 2));
