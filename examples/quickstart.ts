/**
 * Quickstart: creates three plans and a group, puts the plans in the group,
 * reverses their order and prints the group. Plain `fetch`, speaking the
 * current API version (2026-07-31: bodies are the objects themselves); the
 * body types come from the same zod schemas that shape the responses.
 *
 *   npm run dev            # in one terminal (writes .wrangler/demo-key)
 *   npm run example        # in another; API_URL and API_KEY override the defaults
 *
 * API_URL is the server's origin; the README's `.../api/v1` form works too.
 */
import { existsSync, readFileSync } from "node:fs";
import { apiOrigin, httpUrl } from "../scripts/lib/urls";
import type { PlanBody, PlanGroupBody, PlanGroupDetailBody } from "../src/versions/2026-07-31";

let origin: string;
try {
  // `API_URL=127.0.0.1:9500` is answered with the URL it meant, not a fetch error.
  origin = apiOrigin(httpUrl(process.env.API_URL || "http://localhost:8787", "API_URL="));
} catch (err) {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
}
const apiKey =
  process.env.API_KEY ??
  (existsSync(".wrangler/demo-key") ? readFileSync(".wrangler/demo-key", "utf8").trim() : "");
if (!apiKey) {
  console.error("Set API_KEY, or run `npm run dev` first: it writes .wrangler/demo-key.");
  process.exit(1);
}

type ErrorBody = { error: { code: string; message: string; doc_url: string } };

/** Sends one request and returns the body; prints the error and exits on anything else. */
async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {
    "x-api-key": apiKey,
    "Commet-Version": "2026-07-31",
  };
  if (body !== undefined) {
    headers["content-type"] = "application/json";
    // A key per write makes it safe to retry: a retry gets the first answer back.
    headers["Idempotency-Key"] = crypto.randomUUID();
  }
  const res = await fetch(`${origin}/api/v1${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  }).catch(() => {
    // No server to talk to is a setup step, not a crash: one line, no stack.
    console.error(
      `Cannot reach ${origin}: run \`npm run dev\` in another terminal, or set API_URL.`,
    );
    process.exit(1);
  });
  const json = (await res.json()) as T | ErrorBody;
  if (!res.ok) {
    const { error } = json as ErrorBody;
    console.error(`${method} ${path} failed with ${res.status} ${error.code}: ${error.message}`);
    console.error(`  see ${error.doc_url}`);
    process.exit(1);
  }
  return json as T;
}

// Codes are unique per organization and mode, so each run makes its own.
const run = Date.now().toString(36);
const plans: PlanBody[] = [];
for (const name of ["Starter", "Pro", "Enterprise"]) {
  const code = `${name.toLowerCase()}_${run}`;
  plans.push(await api<PlanBody>("POST", "/plans", { name, code, consumptionModel: "metered" }));
}

const group = await api<PlanGroupBody>("POST", "/plan-groups", {
  name: `Self-serve ${run}`,
  description: "Quickstart",
});

for (const plan of plans) {
  const added = await api<{ sortOrder: number }>("POST", `/plan-groups/${group.id}/plans`, {
    planId: plan.id,
  });
  console.log(`added ${plan.name} at position ${added.sortOrder}`);
}

await api("PUT", `/plan-groups/${group.id}/plans/reorder`, {
  planIds: plans.map((p) => p.id).reverse(),
});

const final = await api<PlanGroupDetailBody>("GET", `/plan-groups/${group.id}`);
console.log(JSON.stringify(final, null, 2));
