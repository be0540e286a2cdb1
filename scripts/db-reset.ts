/**
 * `npm run db:reset`: a fresh local state. Wipes .wrangler/state (both D1
 * databases, KV, the cache; queues keep nothing on disk) and the demo key,
 * applies both databases' migrations and makes a new demo key, printed alone
 * on stdout. Refuses while an `npm run dev` of this checkout runs on it.
 */
import { rmSync } from "node:fs";
import { parseCommandLine } from "./lib/args";
import { CliError, runCommand } from "./lib/cli";
import { DEMO_KEY_FILE, ensureDemoKey, forgetDemoKey } from "./lib/demo-key";
import { runningDevServers } from "./lib/dev-servers";
import { appliedLines } from "./lib/migrations";
import { withStores } from "./lib/platform";
import { localState, STATE_DIR, type Target } from "./lib/wrangler";

const usage = `usage: npm run db:reset [-- --env <name>]
Wipes the local state npm run dev uses (.wrangler/state: D1 DB and HISTORY_DB, KV, cache)
and its demo key, applies both databases' migrations and prints a new demo key.
Stop npm run dev first; start it again afterwards (npm run seed then adds a demo catalog).`;

function parse(args: readonly string[], env: NodeJS.ProcessEnv): Target | "help" {
  const parsed = parseCommandLine(args, { env: "string" }, 0, { env, script: "db:reset" });
  if (parsed.help) return "help";
  return { remote: false, env: parsed.values.env || undefined };
}

await runCommand(usage, parse, async (target) => {
  const running = runningDevServers();
  if (running.length > 0) {
    const which = running.map((s) => `pid ${s.pid} on port ${s.port}`).join(", ");
    throw new CliError(
      `npm run dev is running on ${localState(target)} (${which}): stop it (Ctrl-C in its terminal), then run npm run db:reset again`,
    );
  }
  rmSync(STATE_DIR, { recursive: true, force: true });
  forgetDemoKey();
  console.error(`wiped ${localState(target)} and ${DEMO_KEY_FILE}`);
  const demo = await withStores(target, async ({ kv, sql, migrate }) => {
    for (const line of appliedLines(await migrate())) console.error(line);
    return ensureDemoKey(kv, sql, () => {});
  });
  console.error(
    `new demo key for org_demo (test mode, API version ${demo.version}), saved in ${DEMO_KEY_FILE}:`,
  );
  console.log(demo.apiKey);
});
