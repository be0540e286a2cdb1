/**
 * `npm run seed`: a demo catalog on the running `npm run dev` server, written
 * through its API with the demo key, so every write records its event and
 * fires its webhooks as a client's would: a webhook endpoint for a local
 * receiver first, then two groups of plans in order and a retired plan.
 */
import { parseCommandLine, UsageError } from "./lib/args";
import { CliError, runCommand } from "./lib/cli";
import { DEMO_KEY_FILE, readDemoKey } from "./lib/demo-key";
import { alreadySeeded, type Call, SeedError, seedCatalog, write } from "./lib/seed-catalog";
import { apiOrigin, httpUrl } from "./lib/urls";

const DEFAULT_API_URL = "http://127.0.0.1:8787";
const DEFAULT_RECEIVER = "http://127.0.0.1:3000/hooks";

const usage = `usage: npm run seed [-- --api-url <url>] [--webhook-url <url>] [--skip-webhook]
Adds a demo catalog to the running dev server (start npm run dev first), through its API:
a webhook endpoint for every event (default ${DEFAULT_RECEIVER}, a test-mode
receiver on this machine), two plan groups with their plans in order, and a retired plan.
  --api-url   the API's origin; default $API_URL, else ${DEFAULT_API_URL}
  The key is $API_KEY, else npm run dev's demo key (${DEMO_KEY_FILE}).`;

type Options = { apiUrl: string; webhookUrl: string | null };

function parse(args: readonly string[], env: NodeJS.ProcessEnv): Options | "help" {
  const spec = { "api-url": "string", "webhook-url": "string", "skip-webhook": "boolean" } as const;
  const parsed = parseCommandLine(args, spec, 0, { env, script: "seed" });
  if (parsed.help) return "help";
  const { values } = parsed;
  if (values["skip-webhook"] && values["webhook-url"] !== undefined) {
    throw new UsageError("--skip-webhook and --webhook-url do not go together");
  }
  const apiUrl =
    values["api-url"] !== undefined
      ? httpUrl(values["api-url"], "--api-url")
      : httpUrl(env.API_URL?.trim() || DEFAULT_API_URL, "API_URL=");
  return {
    apiUrl: apiOrigin(apiUrl),
    webhookUrl: values["skip-webhook"]
      ? null
      : httpUrl(values["webhook-url"] ?? DEFAULT_RECEIVER, "--webhook-url"),
  };
}

await runCommand(usage, parse, async ({ apiUrl, webhookUrl }) => {
  const apiKey = process.env.API_KEY?.trim() || readDemoKey();
  if (!apiKey) {
    throw new CliError(
      "no API key: start npm run dev once (it writes the demo key), or set API_KEY",
    );
  }
  const call = client(apiUrl, apiKey);
  if (await alreadySeeded(call)) {
    console.error(
      `the demo catalog is already on ${apiUrl} (plan "free" exists): nothing added. For a fresh one, stop npm run dev, npm run db:reset, npm run dev, npm run seed`,
    );
    return;
  }
  try {
    if (webhookUrl !== null) {
      // First, so the catalog's own writes are delivered to it.
      const hook = await write<{ id: string; secretKey: string }>(call, "POST", "/webhooks", {
        url: webhookUrl,
        events: ["*"],
        description: "Local receiver (npm run seed)",
      });
      console.log(`webhook    ${hook.id}  every event -> ${webhookUrl}`);
      console.log(`           signing secret ${hook.secretKey} (shown once)`);
    }
    const seeded = await seedCatalog(call);
    for (const group of seeded.groups) {
      console.log(`group      ${group.id}  ${group.name}: ${group.plans.join(", ")}`);
    }
    console.log(`no group   ${seeded.ungrouped.join(", ")} (private)`);
  } catch (err) {
    if (!(err instanceof SeedError)) throw err;
    const loopback = webhookUrl !== null && err.message.includes("/webhooks answered 400");
    throw new CliError(
      loopback
        ? `${err.message}\n  npm run dev lets test-mode webhooks reach this machine (WEBHOOK_ALLOW_LOOPBACK in .dev.vars); with a live key, or another server, pass --webhook-url or --skip-webhook`
        : err.message,
    );
  }
  console.error(
    `seeded ${apiUrl}; each write fired its events (GET /api/v1/events lists them)${
      webhookUrl === null
        ? ""
        : `, delivered to ${webhookUrl}: until a receiver answers there, deliveries are retried (for 24 h)`
    }`,
  );
});

function client(origin: string, apiKey: string): Call {
  return async (method, path, body) => {
    const headers: Record<string, string> = { "x-api-key": apiKey, "Commet-Version": "2026-07-31" };
    if (body !== undefined) {
      headers["content-type"] = "application/json";
      headers["Idempotency-Key"] = crypto.randomUUID();
    }
    let res: Response;
    try {
      res = await fetch(`${origin}/api/v1${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new CliError(
        `no server answers at ${origin}: start npm run dev in another terminal (or point --api-url or API_URL at it)`,
      );
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Not JSON: SeedError shows the text.
    }
    return { status: res.status, body: parsed };
  };
}
