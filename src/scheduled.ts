import { reconcileApiKeys } from "./api-keys/reconcile";
import { Db } from "./db/database";
import type { Bindings } from "./env";
import { storesOf } from "./history/stores";
import { purgeExpiredIdempotencyKeys } from "./idempotency/purge";
import { logLine } from "./lib/log";
import { reencryptSecrets } from "./reencryption/job";
import { purgeWebhookHistory } from "./webhooks/purge";
import { sweepWebhooks } from "./webhooks/sweep";

/** One job of the cron trigger: does its work and returns what to log about it. */
type Job = (env: Bindings, controller: ScheduledController) => Promise<Record<string, unknown>>;

/**
 * The crons of wrangler.toml's [triggers], and the jobs each one runs. No
 * minute matches two of them: jobs of different crons never start together.
 */
export const SCHEDULE: Record<string, Record<string, Job>> = {
  // Every 30 minutes, off the 5-minute beat.
  "2,32 * * * *": {
    idempotencyPurge: (env, controller) =>
      purgeExpiredIdempotencyKeys(new Db(env.DB), controller.scheduledTime),
    webhookPurge: (env, controller) => purgeWebhookHistory(storesOf(env), controller.scheduledTime),
    // After a key rotation: everything sealed under the new key, so the old can go.
    reencryption: (env) => reencryptSecrets(env, new Db(env.DB)),
  },
  // Often, so an event whose enqueue was lost waits minutes, not half an hour.
  "*/5 * * * *": {
    apiKeyReconciliation: (env, controller) => reconcileApiKeys(env, controller.scheduledTime),
    webhookSweep: (env, controller) =>
      sweepWebhooks(storesOf(env), env.WEBHOOK_QUEUE, controller.scheduledTime),
  },
};

/** A job to run, with the cron it belongs to. */
type Planned = { cron: string; job: string; run: Job };

const everyJob = (): Planned[] =>
  Object.entries(SCHEDULE).flatMap(([cron, jobs]) =>
    Object.entries(jobs).map(([job, run]) => ({ cron, job, run })),
  );

/**
 * The jobs a scheduled event runs: its cron's, as the platform sends it. Run
 * by hand (`npm run cron`, `/__scheduled`: src/dev-crons.ts), the event may instead
 * name one job, or nothing at all: then every job of every cron runs. Null
 * for anything else.
 */
export function jobsFor(cron: string): Planned[] | null {
  const jobs = SCHEDULE[cron];
  if (jobs) return Object.entries(jobs).map(([job, run]) => ({ cron, job, run }));
  if (cron === "") return everyJob();
  const named = everyJob().filter((p) => p.job === cron);
  return named.length > 0 ? named : null;
}

/** What `npm run cron` and an unknown cron's error line offer. */
export const SCHEDULE_NAMES = Object.fromEntries(
  Object.entries(SCHEDULE).map(([cron, jobs]) => [cron, Object.keys(jobs)]),
);

/** What one job did: its result, or why it failed. */
type JobOutcome =
  | { cron: string; job: string; ok: true; result: Record<string, unknown> }
  | { cron: string; job: string; ok: false; error: unknown };

/**
 * Runs `planned` in turn and logs one line each. A failing job does not stop
 * the others.
 */
export async function runJobs(
  planned: readonly Planned[],
  env: Bindings,
  controller: ScheduledController,
): Promise<JobOutcome[]> {
  const outcomes: JobOutcome[] = [];
  for (const { cron, job, run } of planned) {
    try {
      const result = await run(env, controller);
      logLine("info", "cron job", { cron, job, ...result });
      outcomes.push({ cron, job, ok: true, result });
    } catch (error) {
      logLine("error", "cron job failed", { cron, job }, error);
      outcomes.push({ cron, job, ok: false, error });
    }
  }
  return outcomes;
}

/**
 * A cron trigger of wrangler.toml: runs its jobs. A failing job does not stop
 * the others; the invocation still fails afterwards, so the dashboard shows it.
 */
export async function scheduled(controller: ScheduledController, env: Bindings): Promise<void> {
  const planned = jobsFor(controller.cron);
  if (!planned) {
    logLine("error", "no jobs for this cron", { cron: controller.cron, crons: SCHEDULE_NAMES });
    return;
  }
  const failed = (await runJobs(planned, env, controller)).flatMap((o) => (o.ok ? [] : [o.error]));
  if (failed.length > 0) throw new AggregateError(failed, "cron jobs failed");
}
