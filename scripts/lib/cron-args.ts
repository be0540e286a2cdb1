/**
 * What `npm run cron` accepts. Apart from scripts/cron.ts (which runs at
 * once), so the tests check every refusal directly.
 */
import { jobsFor, SCHEDULE_NAMES } from "../../src/scheduled";
import { parseCommandLine, UsageError } from "./args";
import type { Env } from "./commands";

const list = Object.entries(SCHEDULE_NAMES)
  .map(([cron, jobs]) => `  "${cron}": ${jobs.join(", ")}`)
  .join("\n");

export const cronUsage = `usage: npm run cron [-- <cron | job>] [--port 8787]

Runs scheduled jobs on the local dev server (npm run dev): with nothing
named, every job of every cron; a cron runs its jobs, a job runs alone.
Each job logs one line in the dev server's output.

crons and their jobs:
${list}`;

export type CronOptions = { target: string; port: number };

export function parseCron(args: readonly string[], env: Env = {}): CronOptions | "help" {
  const parsed = parseCommandLine(args, { port: "string" } as const, 1, { env, script: "cron" });
  if (parsed.help) return "help";
  const port = parsed.values.port === undefined ? 8787 : Number(parsed.values.port);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError("--port takes a port number");
  }
  const target = parsed.positionals[0] ?? "";
  if (jobsFor(target) === null) {
    throw new UsageError(`"${target}" is neither a cron nor a job of this worker`);
  }
  return { target, port };
}
