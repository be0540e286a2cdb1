/**
 * `npm run cron [-- <cron | job>] [--port 8787]`: runs the scheduled jobs on
 * the local `npm run dev` server through its `/__scheduled` (src/dev-crons.ts),
 * as `curl <server>/cdn-cgi/handler/scheduled?cron=...` does, and prints what
 * each job did.
 */
import { CliError, runCommand } from "./lib/cli";
import { cronUsage, parseCron } from "./lib/cron-args";

type Ran = { ran: { cron: string; job: string; ok: boolean; error?: string }[] };

await runCommand(cronUsage, parseCron, async ({ target, port }) => {
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
