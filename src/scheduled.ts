import { reconcileApiKeys } from "./api-keys/reconcile";
import { Db } from "./db/database";
import type { Bindings } from "./env";
import { purgeExpiredIdempotencyKeys } from "./idempotency/purge";
import { logLine } from "./lib/log";
import { purgeWebhookHistory } from "./webhooks/purge";
import { sweepWebhooks } from "./webhooks/sweep";

/** One job of the cron trigger: does its work and returns what to log about it. */
type Job = (env: Bindings, controller: ScheduledController) => Promise<Record<string, unknown>>;

/** The crons of wrangler.toml's [triggers], and the jobs each one runs. */
export const SCHEDULE: Record<string, Record<string, Job>> = {
  "*/30 * * * *": {
    idempotencyPurge: (env, controller) =>
      purgeExpiredIdempotencyKeys(new Db(env.DB), controller.scheduledTime),
    webhookPurge: (env, controller) =>
      purgeWebhookHistory(new Db(env.DB), controller.scheduledTime),
  },
  // Often, so an event whose enqueue was lost waits minutes, not half an hour.
  "*/5 * * * *": {
    apiKeyReconciliation: (env, controller) => reconcileApiKeys(env, controller.scheduledTime),
    webhookSweep: (env, controller) =>
      sweepWebhooks(new Db(env.DB), env.WEBHOOK_QUEUE, controller.scheduledTime),
  },
};

/**
 * A cron trigger of wrangler.toml: runs its jobs in turn and logs one line
 * each. A failing job does not stop the others; the invocation still fails
 * afterwards, so the dashboard shows it.
 */
export async function scheduled(controller: ScheduledController, env: Bindings): Promise<void> {
  const jobs = SCHEDULE[controller.cron];
  if (!jobs) {
    logLine("error", "no jobs for this cron", { cron: controller.cron });
    return;
  }
  const failed: unknown[] = [];
  for (const [job, run] of Object.entries(jobs)) {
    try {
      const result = await run(env, controller);
      logLine("info", "cron job", { cron: controller.cron, job, ...result });
    } catch (err) {
      failed.push(err);
      logLine("error", "cron job failed", { cron: controller.cron, job }, err);
    }
  }
  if (failed.length > 0) throw new AggregateError(failed, "cron jobs failed");
}
