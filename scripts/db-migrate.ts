/**
 * `npm run db:migrate:local`: applies both databases' pending migrations to
 * the local state `npm run dev` uses (it does so itself on start), in this
 * process, recorded as wrangler records them (scripts/lib/migrations.ts).
 * Deployed databases migrate through wrangler (docs/operations.md).
 */
import { parseCommandLine } from "./lib/args";
import { runCommand } from "./lib/cli";
import { appliedLines } from "./lib/migrations";
import { withStores } from "./lib/platform";
import type { Target } from "./lib/wrangler";

const usage = `usage: npm run db:migrate:local [-- --env <name>]
Applies the pending migrations of D1 DB and HISTORY_DB to the local state npm run dev uses
(.wrangler/state), also while it runs. --env <name> picks a wrangler environment's databases.`;

function parse(args: readonly string[], env: NodeJS.ProcessEnv): Target | "help" {
  const parsed = parseCommandLine(args, { env: "string" }, 0, { env, script: "db:migrate:local" });
  if (parsed.help) return "help";
  return { remote: false, env: parsed.values.env || undefined };
}

await runCommand(usage, parse, async (target) => {
  const applied = await withStores(target, ({ migrate }) => migrate());
  for (const line of appliedLines(applied)) console.error(line);
});
