/**
 * `npm run webhooks:listen -- --forward-to <url>`: what `stripe listen` does,
 * for this API. It reads the events API (so it works against a deployed
 * worker as well as `npm run dev`, with no endpoint to register) and POSTs
 * each event created from now on to the receiver, signed like a delivery.
 * Setup and trouble go to stderr; stdout has one line per forwarded event.
 */
import { CURRENT_VERSION } from "../src/versions/ids";
import { newSigningSecret } from "../src/webhooks/sign";
import { CliError, runCommand } from "./lib/cli";
import { DEMO_KEY_FILE, DEMO_ORG, readDemoKey } from "./lib/demo-key";
import { type ListenOptions, listenUsage, parseListen } from "./lib/listen-args";
import {
  EventsApiError,
  EventWindow,
  eventsApi,
  forwardable,
  type Listed,
  listSince,
} from "./lib/listen-events";
import { eventLine, forwardEvent, type PayloadContext, webhookPayload } from "./lib/listen-forward";

/** 40 requests a minute when idle: a small share of a standard key's 600. */
const POLL_MS = 1500;

type Key = { key: string; from: string };

function demoKey(): Key | null {
  const saved = readDemoKey();
  return saved ? { key: saved, from: `npm run dev's demo key, ${DEMO_KEY_FILE}` } : null;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

await runCommand(listenUsage, (args) => parseListen(args, process.env), listen);

async function listen(options: ListenOptions) {
  const demo = demoKey();
  const apiKey = options.apiKey ?? demo;
  if (apiKey === null) {
    throw new CliError(
      "no API key: pass --api-key or set API_KEY, or run npm run dev once (it writes the demo key)",
    );
  }
  const page = eventsApi({ ...options, apiKey: apiKey.key });

  let first: Listed;
  try {
    first = await listSince(page, null);
  } catch (err) {
    if (!(err instanceof EventsApiError)) throw err;
    throw new CliError(`${err.message}\n  ${hint(options, apiKey, err)}`);
  }
  // Whatever is listed now happened before: only what comes later is forwarded.
  const window = new EventWindow(first.serverTime ?? first.events[0]?.createdMs ?? Date.now());
  window.prime(first.events);

  const ctx: PayloadContext = {
    orgId: options.orgId ?? (demo !== null && apiKey.key === demo.key ? DEMO_ORG : null),
    livemode: apiKey.key.startsWith("ck_live_"),
    apiVersion: first.version ?? options.apiVersion ?? CURRENT_VERSION,
  };
  const secret = options.secret ?? newSigningSecret();
  console.error(banner(options, apiKey, ctx, secret));

  let forwarded = 0;
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      console.error(`\nstopped: ${forwarded} event${forwarded === 1 ? "" : "s"} forwarded`);
      process.exit(0);
    });
  }

  // One line per change of trouble, not one per poll.
  let trouble: string | null = null;
  for (;;) {
    let listed: Listed;
    try {
      listed = await listSince(page, window.floor);
    } catch (err) {
      if (!(err instanceof EventsApiError)) throw err;
      if (!err.transient) throw new CliError(err.message);
      if (err.message !== trouble) console.error(`${err.message}: trying again`);
      trouble = err.message;
      await sleep(err.retryAfterMs ?? POLL_MS);
      continue;
    }
    if (trouble !== null) console.error(`${options.apiUrl} answers again`);
    trouble = null;
    const pageCtx = { ...ctx, apiVersion: listed.version ?? ctx.apiVersion };
    for (const event of window.take(listed.events)) {
      if (!forwardable(event, options.types)) continue;
      const body = webhookPayload(event, pageCtx);
      const out = await forwardEvent(options.forwardTo, secret, event.id, body);
      console.log(eventLine(new Date(), event, out));
      forwarded += 1;
    }
    await sleep(POLL_MS);
  }
}

function hint(options: ListenOptions, apiKey: Key, err: EventsApiError): string {
  if (err.transient)
    return "is the API up? start npm run dev, or point --api-url (or API_URL) at it";
  return `key ${apiKey.key.slice(0, 12)}... from ${apiKey.from}, sent to ${options.apiUrl}`;
}

function banner(options: ListenOptions, apiKey: Key, ctx: PayloadContext, secret: string) {
  const pin =
    options.apiVersion === null ? "the organization's; --api-version picks one" : "--api-version";
  const org =
    ctx.orgId ??
    "left out: the events API does not say which organization a key is for (--org <id> sets it)";
  return `Ready: forwarding events of ${options.apiUrl} to ${options.forwardTo} (Ctrl-C to stop)
  signing secret   ${secret}${options.secret === null ? "  (new; --secret reuses it)" : ""}
  API key          ${apiKey.key.slice(0, 12)}...  (${apiKey.from})
  events           ${options.types === null ? "all" : options.types.join(", ")}
  API version      ${ctx.apiVersion}  (${pin})
  mode             ${ctx.livemode ? "live" : "sandbox (test key)"}
  organizationId   ${org}`;
}
