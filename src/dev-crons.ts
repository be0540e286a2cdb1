import type { Bindings } from "./env";
import { jobsFor, runJobs, SCHEDULE_NAMES } from "./scheduled";

/**
 * Where a dev server runs cron jobs on request: wrangler's name for it.
 * `npm run dev` also answers wrangler's `/cdn-cgi/handler/scheduled` here
 * (scripts/lib/dev-proxy.ts): under Static Assets, wrangler 4.86 hands that
 * one to the assets router, which has no scheduled handler (500 "exception").
 */
const DEV_CRONS_PATH = "/__scheduled";

/**
 * `/__scheduled[?cron=<cron or job>]` when `DEV_RUN_CRONS` is "true" (only
 * `.dev.vars` sets it): runs the jobs a scheduled event with that cron runs
 * (every job when none is named), each logging its line as under the
 * platform, and answers what each did, 500 if one failed. A name that is
 * neither a cron nor a job is a 404 listing the crons and their jobs. Null
 * for every other request, and for every request of a deployed worker.
 */
export function devCrons(request: Request, env: Bindings): Promise<Response> | null {
  if (env.DEV_RUN_CRONS !== "true") return null;
  const url = new URL(request.url);
  if (url.pathname !== DEV_CRONS_PATH) return null;
  return run(url.searchParams.get("cron") ?? "", env);
}

/** The answer says what failed; the job's error line in the log has the rest (stack, causes). */
const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

async function run(cron: string, env: Bindings): Promise<Response> {
  const planned = jobsFor(cron);
  if (!planned) {
    return Response.json(
      { error: `"${cron}" is neither a cron nor a job of this worker`, crons: SCHEDULE_NAMES },
      { status: 404 },
    );
  }
  const outcomes = await runJobs(planned, env, {
    cron,
    scheduledTime: Date.now(),
    noRetry: () => {},
  });
  const ran = outcomes.map((o) =>
    o.ok
      ? { cron: o.cron, job: o.job, ok: true, ...o.result }
      : { cron: o.cron, job: o.job, ok: false, error: messageOf(o.error) },
  );
  return Response.json({ ran }, { status: ran.every((o) => o.ok) ? 200 : 500 });
}
