import { reconcileApiKeys } from "./api-keys/reconcile";
import { Db } from "./db/database";
import type { Bindings } from "./env";
import { purgeExpiredIdempotencyKeys } from "./idempotency/purge";

/** One job of the cron trigger: does its work and returns what to log about it. */
type Job = (env: Bindings, controller: ScheduledController) => Promise<Record<string, unknown>>;

const JOBS: Record<string, Job> = {
  apiKeyReconciliation: (env, controller) => reconcileApiKeys(env, controller.scheduledTime),
  idempotencyPurge: (env, controller) =>
    purgeExpiredIdempotencyKeys(new Db(env.DB), controller.scheduledTime),
};

/**
 * The cron trigger of wrangler.toml: runs every job in turn and logs one line
 * each. A failing job does not stop the others; the invocation still fails
 * afterwards, so the dashboard shows it.
 */
export async function scheduled(controller: ScheduledController, env: Bindings): Promise<void> {
  const failed: unknown[] = [];
  for (const [job, run] of Object.entries(JOBS)) {
    try {
      const result = await run(env, controller);
      console.log(
        JSON.stringify({
          level: "info",
          message: "cron job",
          cron: controller.cron,
          job,
          ...result,
        }),
      );
    } catch (err) {
      failed.push(err);
      console.error(
        JSON.stringify({
          level: "error",
          message: "cron job failed",
          cron: controller.cron,
          job,
          error: err instanceof Error ? { message: err.message, stack: err.stack } : String(err),
        }),
      );
    }
  }
  if (failed.length > 0) throw new AggregateError(failed, "cron jobs failed");
}
