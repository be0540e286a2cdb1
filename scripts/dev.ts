/**
 * `npm run dev`: checks that its port is free, migrates the local D1, makes
 * sure the demo key exists, starts `wrangler dev --local` (extra arguments go
 * to it) behind a small proxy on its port (scripts/lib/dev-proxy.ts: it makes
 * wrangler's `/cdn-cgi/handler/scheduled` run the cron jobs) and, once it is
 * ready, prints a short banner with the demo key and a curl line.
 */
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { stripVTControlCharacters } from "node:util";
import { DEMO_ORG, type DemoKey, ensureDemoKey } from "./lib/demo-key";
import { devLogName, devPort, devState } from "./lib/dev-args";
import { devHost, freePort, startDevProxy, wranglerArgs } from "./lib/dev-proxy";
import { portInUse, recordDevServer, runningDevServers } from "./lib/dev-servers";
import { appliedLines } from "./lib/migrations";
import { withStores } from "./lib/platform";
import { LOG_DIR, rotateLog, WRANGLER, wranglerEnv } from "./lib/wrangler";

/**
 * Local values wrangler reads from `.dev.vars`, each added once when absent
 * (a value the developer set is never overwritten): the Worker secret that
 * encrypts stored secrets, the allowance that lets test-mode webhooks reach
 * a receiver on this machine (`http://127.0.0.1:<port>`), and the one that
 * lets `/__scheduled` run the cron jobs, which a deployed worker never has
 * (neither is in wrangler.toml).
 */
function ensureDevVars() {
  const wanted: [name: string, value: () => string, note: string][] = [
    [
      "ENCRYPTION_KEY",
      () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64"),
      "made a local ENCRYPTION_KEY",
    ],
    ["WEBHOOK_ALLOW_LOOPBACK", () => "true", "let test-mode webhooks reach loopback receivers"],
    ["DEV_RUN_CRONS", () => "true", "let /cdn-cgi/handler/scheduled run the cron jobs"],
  ];
  for (const [name, value, note] of wanted) {
    const existing = existsSync(".dev.vars") ? readFileSync(".dev.vars", "utf8") : "";
    if (new RegExp(`^\\s*${name}\\s*=`, "m").test(existing)) continue;
    const newline = existing === "" || existing.endsWith("\n") ? "" : "\n";
    appendFileSync(".dev.vars", `${newline}${name}="${value()}"\n`);
    console.error(`dev: ${note} in .dev.vars`);
  }
}

function banner(url: string, demo: DemoKey) {
  return `
  Plan groups API  ${url}  (reference: ${url}/docs)
  demo key         ${demo.apiKey}  (${DEMO_ORG}, test mode, API version ${demo.version})
  try it           curl -s ${url}/api/v1/plan-groups -H 'x-api-key: ${demo.apiKey}'
  crons            curl -s ${url}/cdn-cgi/handler/scheduled  (every job; ?cron=<cron or job>: some)
                   or npm run cron  (-- <cron or job>; -- --help lists them)
`;
}

const extra = process.argv.slice(2);
try {
  const port = devPort(extra);
  // First, before anything is written: a second `npm run dev` leaves the
  // first one's log and state alone and says why it stops.
  if (await portInUse(port)) {
    const holder = runningDevServers().find((server) => server.port === port);
    const who = holder ? `npm run dev (pid ${holder.pid}) is` : "something else is";
    console.error(
      `dev: port ${port} is taken: ${who} listening there. Stop it, or start on another port: npm run dev -- --port ${port + 1}`,
    );
    process.exit(1);
  }
  ensureDevVars();
  const demo = await withStores(
    { remote: false, ...devState(extra) },
    async ({ kv, sql, migrate }) => {
      for (const line of appliedLines(await migrate())) console.error(`dev: ${line}`);
      return ensureDemoKey(kv, sql, (line) => console.error(`dev: ${line}`));
    },
    "dev: ",
  );
  await startWrangler(demo, port);
} catch (err) {
  console.error(`dev: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

async function startWrangler(demo: DemoKey, port: number) {
  const log = join(LOG_DIR, devLogName(port));
  // Each session's debug log replaces the one before last; a long session rotates.
  rotateLog(log, 0);
  setInterval(() => rotateLog(log, 20_000_000), 10_000).unref();
  // Removed on the way out; a record left by a hard kill names a gone process.
  process.once("exit", recordDevServer(port));

  // Wrangler on a port of its own behind the proxy, which takes the client's.
  const inner = await freePort();
  await startDevProxy(devHost(extra), port, inner);
  const child = spawn(WRANGLER, ["dev", "--local", ...wranglerArgs(extra, inner)], {
    env: {
      ...wranglerEnv,
      WRANGLER_LOG_PATH: log,
      // Read through a pipe, wrangler would drop its colours.
      ...(process.stdout.isTTY ? { FORCE_COLOR: "1" } : {}),
    },
    stdio: ["inherit", "pipe", "pipe"],
  });
  const innerPort = new RegExp(`:${inner}\\b`, "g");
  let ready = false;
  const relay = (stream: NodeJS.ReadableStream, out: NodeJS.WritableStream) =>
    createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on("line", (raw) => {
      // Wrangler names its own port; clients use the proxy's.
      const line = raw.replace(innerPort, `:${port}`);
      const plain = stripVTControlCharacters(line);
      // The worker logs each request as a JSON line; wrangler's own line would double it.
      if (/^\[wrangler:info\] [A-Z]+ \S+ \d{3} /.test(plain)) return;
      out.write(`${line}\n`);
      const url = /Ready on (\S+)/.exec(plain)?.[1];
      if (url && !ready) {
        ready = true;
        console.log(banner(url, demo));
      }
    });
  relay(child.stdout, process.stdout);
  relay(child.stderr, process.stderr);

  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => child.kill(signal));
  }
  // "close", not "exit": the last lines of its output are relayed first.
  child.on("close", (code) => process.exit(code ?? 0));
}
