/**
 * `npm run dev`: migrates the local D1, makes sure the demo key exists, starts
 * `wrangler dev --local` (extra arguments go to it) and, once it is ready,
 * prints a short banner with the demo key and a curl line.
 */
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { stripVTControlCharacters } from "node:util";
import { recordKvKey } from "../src/lib/api-keys";
import { CURRENT_VERSION, pinKvKey } from "../src/versions/ids";
import { ensureListed, parseRecord, storeNewKey } from "./lib/keys";
import {
  LOG_DIR,
  rotateLog,
  WRANGLER,
  wrangler,
  wranglerEnv,
  wranglerKv,
  wranglerSql,
} from "./lib/wrangler";

const DEMO_KEY_FILE = ".wrangler/demo-key";
const DEMO_ORG = "org_demo";
const DEV_LOG = join(LOG_DIR, "dev.log");

/**
 * Local values wrangler reads from `.dev.vars`, each added once when absent
 * (a value the developer set is never overwritten): the Worker secret that
 * encrypts stored secrets, and the allowance that lets test-mode webhooks
 * reach a receiver on this machine (`http://127.0.0.1:<port>`), which a
 * deployed worker never has (it is not in wrangler.toml).
 */
function ensureDevVars() {
  const wanted: [name: string, value: () => string, note: string][] = [
    [
      "ENCRYPTION_KEY",
      () => Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64"),
      "made a local ENCRYPTION_KEY",
    ],
    ["WEBHOOK_ALLOW_LOOPBACK", () => "true", "let test-mode webhooks reach loopback receivers"],
  ];
  for (const [name, value, note] of wanted) {
    const existing = existsSync(".dev.vars") ? readFileSync(".dev.vars", "utf8") : "";
    if (new RegExp(`^\\s*${name}\\s*=`, "m").test(existing)) continue;
    const newline = existing === "" || existing.endsWith("\n") ? "" : "\n";
    appendFileSync(".dev.vars", `${newline}${name}="${value()}"\n`);
    console.error(`dev: ${note} in .dev.vars`);
  }
}

/**
 * The demo key is kept across runs so a pasted curl line keeps working. While
 * its record is in KV nothing is written (it is listed if an older run left it
 * unlisted); otherwise (first run, or revoked) it is stored again like any new
 * key, which pins org_demo on its first key.
 */
async function ensureDemoKey(): Promise<{ apiKey: string; version: string }> {
  const kv = wranglerKv({ remote: false });
  const sql = wranglerSql({ remote: false });
  const saved = existsSync(DEMO_KEY_FILE) ? readFileSync(DEMO_KEY_FILE, "utf8").trim() : "";
  if (saved) {
    const recordKey = await recordKvKey(saved);
    const found = await kv.getMany([recordKey, pinKvKey(DEMO_ORG)]);
    const value = found.get(recordKey);
    const record = value ? parseRecord(value) : null;
    if (record) {
      if (await ensureListed(sql, saved, record)) console.error("dev: listed the demo key in D1");
      const pin = found.get(pinKvKey(DEMO_ORG));
      return { apiKey: saved, version: pin ?? `${CURRENT_VERSION} (not pinned)` };
    }
  }
  const { apiKey, pin } = await storeNewKey(
    kv,
    sql,
    { orgId: DEMO_ORG, mode: "test", name: "demo", tier: "standard", expiresInDays: null },
    saved || undefined,
  );
  mkdirSync(".wrangler", { recursive: true });
  writeFileSync(DEMO_KEY_FILE, apiKey);
  return { apiKey, version: pin };
}

function banner(url: string, demo: { apiKey: string; version: string }) {
  return `
  Plan groups API  ${url}  (reference: ${url}/docs)
  demo key         ${demo.apiKey}  (${DEMO_ORG}, test mode, API version ${demo.version})
  try it           curl -s ${url}/api/v1/plan-groups -H 'x-api-key: ${demo.apiKey}'
  crons            npm run cron  (every job now; -- <job> for one, -- --help lists them)
`;
}

try {
  ensureDevVars();
  for (const database of ["DB", "HISTORY_DB"]) {
    const migrated = await wrangler(["d1", "migrations", "apply", database, "--local"]);
    console.error(
      /No migrations to apply/.test(migrated)
        ? `dev: D1 ${database} up to date`
        : `dev: D1 ${database} migrations applied`,
    );
  }
  const demo = await ensureDemoKey();
  startWrangler(demo);
} catch (err) {
  console.error(`dev: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
}

function startWrangler(demo: { apiKey: string; version: string }) {
  // Each session's debug log replaces the one before last; a long session rotates.
  rotateLog(DEV_LOG, 0);
  setInterval(() => rotateLog(DEV_LOG, 20_000_000), 10_000).unref();

  const extra = process.argv.slice(2);
  // `/__scheduled` on the worker itself, for `npm run cron`: wrangler's
  // `/cdn-cgi/handler/scheduled` stops at the Static Assets router in front
  // of the worker (500 "exception") and never reaches it.
  const scheduled = extra.includes("--test-scheduled") ? [] : ["--test-scheduled"];
  const child = spawn(WRANGLER, ["dev", "--local", ...scheduled, ...extra], {
    env: {
      ...wranglerEnv,
      WRANGLER_LOG_PATH: DEV_LOG,
      // Read through a pipe, wrangler would drop its colours.
      ...(process.stdout.isTTY ? { FORCE_COLOR: "1" } : {}),
    },
    stdio: ["inherit", "pipe", "pipe"],
  });
  let ready = false;
  const relay = (stream: NodeJS.ReadableStream, out: NodeJS.WritableStream) =>
    createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on("line", (line) => {
      const plain = stripVTControlCharacters(line);
      // The worker logs each request as a JSON line; wrangler's own line would double it.
      if (/^\[wrangler:info\] [A-Z]+ \S+ \d{3} /.test(plain)) return;
      // Wrangler's way to run crons answers 500 behind Static Assets: point at ours.
      if (plain.includes("/cdn-cgi/handler/scheduled")) {
        out.write("    npm run cron   (every job; npm run cron -- --help lists them)\n");
        return;
      }
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
