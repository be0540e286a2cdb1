import { Db } from "./db/database";
import type { Bindings } from "./env";
import { deleteExpiredChunk, IDEMPOTENCY_TTL_MS } from "./idempotency/records";

const PURGE_CHUNK = 500;
// Bounds one run; whatever is left over goes at the next trigger.
const PURGE_MAX_CHUNKS = 20;

/** Deletes Idempotency-Key records older than 24 hours; returns how many. */
export async function purgeExpiredIdempotencyKeys(env: Bindings, now: number): Promise<number> {
  const db = new Db(env.DB);
  const cutoff = now - IDEMPOTENCY_TTL_MS;
  let purged = 0;
  for (let i = 0; i < PURGE_MAX_CHUNKS; i++) {
    const deleted = await deleteExpiredChunk(db, cutoff, PURGE_CHUNK);
    purged += deleted;
    if (deleted < PURGE_CHUNK) break;
  }
  return purged;
}

/** The cron trigger of wrangler.toml. */
export async function scheduled(controller: ScheduledController, env: Bindings): Promise<void> {
  const purged = await purgeExpiredIdempotencyKeys(env, controller.scheduledTime);
  console.log(
    JSON.stringify({ level: "info", cron: controller.cron, idempotencyKeysPurged: purged }),
  );
}
