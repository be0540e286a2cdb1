/**
 * `npm run cron [-- <cron | job>] [--port 8787]`: runs the scheduled jobs on
 * the local `npm run dev` server through its `/__scheduled` (src/dev-crons.ts),
 * as `curl <server>/cdn-cgi/handler/scheduled?cron=...` does, and prints what
 * each job did.
 */
import { jobsFor, SCHEDULE_NAMES } from "../src/scheduled";
import { UsageError } from "./lib/args";
import { CliError, runCommand } from "./lib/cli";

const list = Object.entries(SCHEDULE_NAMES)
  .map(([cron, jobs]) => `  "${cron}": ${jobs.join(", ")}`)
  .join("\n");

const usage = `usage: npm run cron [-- <cron | job>] [--port 8787]

Runs scheduled jobs on the local dev server (npm run dev): with nothing
named, every job of every cron; a cron runs its jobs, a job runs alone.
Each job logs one line in the dev server's output.

crons and their jobs:
${list}`;

type Options = { target: string; port: number };

function parse(args: readonly string[]): Options | "help" {
  let target = "";
  let port = 8787;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] ?? "";
    if (arg === "--help" || arg === "-h") return "help";
    if (arg === "--port") {
      port = Number(args[++i]);
      if (!Number.isInteger(port) || port < 1 || port > 65535) {
        throw new UsageError("--port takes a port number");
      }
    } else if (arg.startsWith("-")) throw new UsageError(`unknown option ${arg}`);
    else if (target !== "") throw new UsageError(`one cron or job at a time, not also ${arg}`);
    else target = arg;
  }
  if (jobsFor(target) === null) {
    throw new UsageError(`"${target}" is neither a cron nor a job of this worker`);
  }
  return { target, port };
}

type Ran = { ran: { cron: string; job: string; ok: boolean; error?: string }[] };

await runCommand(usage, parse, async ({ target, port }) => {
  const url = `http://127.0.0.1:${port}/__scheduled?cron=${encodeURIComponent(target)}`;
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(120_000) });
  } catch {
    throw new CliError(`no dev server answers on port ${port}: start it with npm run dev`);
  }
  const answer = await res.json().catch(() => null);
  if (res.status === 404 || !isRan(answer)) {
    throw new CliError(
      `the server on port ${port} does not run cron jobs on request: start it with npm run dev (it sets DEV_RUN_CRONS in .dev.vars)`,
    );
  }
  for (const { ok, cron, job, error, ...result } of answer.ran) {
    const name = `${job} (${cron})`;
    console.log(ok ? `${name}  ${JSON.stringify(result)}` : `${name}  failed: ${error}`);
  }
  if (!res.ok) throw new CliError("a job failed: see the dev server's output for its error line");
});

function isRan(body: unknown): body is Ran {
  return typeof body === "object" && body !== null && Array.isArray((body as Ran).ran);
}
