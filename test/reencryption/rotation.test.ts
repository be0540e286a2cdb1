import { createScheduledController, env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index";
import { ROLLOUT_MS } from "../../src/reencryption/job";
import { SCHEDULE } from "../../src/scheduled";
import { idOfKey, newEncryptionKey, sealV1 } from "../helpers/encryption";
import { client } from "../helpers/http";
import { newIdempotencyKey, settled, storedKey } from "../helpers/idempotency";
import { standardVerifies } from "../helpers/verify";
import {
  deliveriesOf,
  eventMessage,
  insertEvent,
  planData,
  type Receiver,
  receiver,
  runBatch,
  useReceivers,
} from "../helpers/webhooks";

useReceivers();
afterEach(() => vi.restoreAllMocks());

// This file's database holds only what this story makes: the job walks whole tables.
const K1 = newEncryptionKey();
const K2 = newEncryptionKey();
const before = { ENCRYPTION_KEY: K1 };
const rotating = { ENCRYPTION_KEY: K2, ENCRYPTION_KEYS_PREVIOUS: K1 };
const after = { ENCRYPTION_KEY: K2 };

type Created = { data: { id: string; secretKey: string } };

const cron = Object.entries(SCHEDULE).find(([, jobs]) => "reencryption" in jobs)?.[0] ?? "";

/**
 * The scheduled handler of a worker running with `keys`, `later` ms from
 * now (a clock moved forward, never waited for): the re-encryption job's log line.
 */
async function reencryptionRun(keys: Record<string, string>, later = 0) {
  const lines: Record<string, unknown>[] = [];
  vi.spyOn(console, "log").mockImplementation((line) => lines.push(JSON.parse(String(line))));
  const now = Date.now.bind(Date);
  vi.spyOn(Date, "now").mockImplementation(() => now() + later);
  await worker.scheduled(createScheduledController({ cron }), { ...env, ...keys });
  vi.restoreAllMocks();
  return lines.find((l) => l.message === "cron job" && l.job === "reencryption");
}

async function secretOf(id: string) {
  const row = await env.DB.prepare("SELECT secret FROM webhook_endpoints WHERE id = ?")
    .bind(id)
    .first<{ secret: string }>();
  return row?.secret ?? "";
}

/** An event for `orgId`, run through the consumer of a worker with `keys`: verified at `r` with `secret`. */
async function deliversSigned(
  orgId: string,
  r: Receiver,
  secret: string,
  keys: Record<string, string>,
) {
  const eventId = await insertEvent({ orgId, type: "plan.updated", data: planData() });
  vi.spyOn(console, "log").mockImplementation(() => {});
  await runBatch([eventMessage(eventId)], { bindings: keys });
  vi.restoreAllMocks();
  expect((await deliveriesOf(eventId))[0]).toMatchObject({ status: "succeeded" });
  const req = r.requests.at(-1);
  expect(req && JSON.parse(req.body).id).toBe(eventId);
  expect(req && standardVerifies(req.body, req.headers, secret)).toBe(true);
}

describe("rotating ENCRYPTION_KEY", () => {
  it("keeps every secret working while the job re-encrypts them, then without the old key", async () => {
    const api = await client();
    const [r, legacy, late] = [receiver(), receiver(), receiver()];
    const idem = newIdempotencyKey();
    const create = (url: string, keys: Record<string, string>, key?: string) =>
      api.call<Created>("POST", "/webhooks", {
        body: { url, events: ["plan.updated"] },
        headers: key ? { "Idempotency-Key": key } : {},
        bindings: keys,
      });
    const first = await create(r.url, before, idem);
    expect(first.status).toBe(201);
    const endpoint = first.body.data;
    await settled(() => create(r.url, before, idem));
    const old = await create(legacy.url, before);
    // Sealed before key rings: enc:v1, no key id, no context.
    await env.DB.prepare("UPDATE webhook_endpoints SET secret = ? WHERE id = ?")
      .bind(await sealV1(K1, old.body.data.secretKey), old.body.data.id)
      .run();
    expect(await secretOf(endpoint.id)).toMatch(`enc:v2:${await idOfKey(K1)}:`);

    // Restarted with K2 current and K1 previous: everything still opens.
    await deliversSigned(api.orgId, r, endpoint.secretKey, rotating);
    await deliversSigned(api.orgId, legacy, old.body.data.secretKey, rotating);
    const replay = await create(r.url, rotating, idem);
    expect(replay.text).toBe(first.text);

    const k2 = await idOfKey(K2);
    // The first pass does the work but cannot complete: it started while
    // isolates of the old version may still seal under K1.
    expect(await reencryptionRun(rotating)).toMatchObject({
      keyId: k2,
      reencrypted: 3,
      unreadable: 0,
      complete: false,
      pass: { phase: "done", found: 3, unreadable: 0, afterRollout: false },
    });
    expect(await secretOf(endpoint.id)).toMatch(`enc:v2:${k2}:`);
    expect(await secretOf(old.body.data.id)).toMatch(`enc:v2:${k2}:`);
    expect((await storedKey(api.orgId, idem))?.response_body).toMatch(`enc:v2:${k2}:`);

    // An isolate still on the old version seals under K1, behind the finished pass.
    const straggler = await create(late.url, before);
    expect(await secretOf(straggler.body.data.id)).toMatch(`enc:v2:${await idOfKey(K1)}:`);
    const early = await reencryptionRun(rotating, ROLLOUT_MS / 2);
    expect(early).toMatchObject({ complete: false, pass: { afterRollout: false } });
    // The first pass after the rollout window finds it: only now is it complete.
    expect(await reencryptionRun(rotating, ROLLOUT_MS)).toMatchObject({
      keyId: k2,
      unreadable: 0,
      complete: true,
      keySeenAt: early?.keySeenAt,
      pass: { phase: "done", unreadable: 0, afterRollout: true },
    });
    expect(await secretOf(straggler.body.data.id)).toMatch(`enc:v2:${k2}:`);
    await deliversSigned(api.orgId, late, straggler.body.data.secretKey, after);
    // Done for this ring: the next run has nothing to do.
    expect(await reencryptionRun(rotating, ROLLOUT_MS)).toMatchObject({
      reencrypted: 0,
      complete: true,
    });

    // K1 removed: still delivered, signed with the same secrets, and replayed.
    await deliversSigned(api.orgId, r, endpoint.secretKey, after);
    await deliversSigned(api.orgId, legacy, old.body.data.secretKey, after);
    expect((await create(r.url, after, idem)).text).toBe(first.text);
    // A ring without K1 but the same current key: a new pass, no new rollout window.
    expect(await reencryptionRun(after, ROLLOUT_MS)).toMatchObject({
      keyId: k2,
      reencrypted: 0,
      unreadable: 0,
      complete: true,
      pass: { found: 0 },
    });
  });
});
