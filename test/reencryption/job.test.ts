import { env } from "cloudflare:test";
import { afterEach, describe, expect, it, vi } from "vitest";
import { Db } from "../../src/db/database";
import { decrypt, encrypt, sealedFor } from "../../src/lib/crypto";
import { ROLLOUT_MS, reencryptSecrets } from "../../src/reencryption/job";
import { countingEnv } from "../helpers/counting";
import { idOfKey, newEncryptionKey } from "../helpers/encryption";
import { changedBefore } from "../helpers/faulty-d1";
import { uniqueOrg } from "../helpers/keys";
import { queryPlanProblems } from "../helpers/query-plans";
import { createEndpoint } from "../helpers/webhooks";

afterEach(() => vi.restoreAllMocks());

// Every test starts its own ring (a new current key, the test env's as the
// previous): its own pass. Rows other tests moved to their keys are
// unreadable to it, so these tests check their own rows, not totals.
const ringAfter = () => ({
  ENCRYPTION_KEY: newEncryptionKey(),
  ENCRYPTION_KEYS_PREVIOUS: env.ENCRYPTION_KEY,
});

async function secretOf(id: string) {
  const row = await env.DB.prepare("SELECT secret FROM webhook_endpoints WHERE id = ?")
    .bind(id)
    .first<{ secret: string }>();
  return row?.secret ?? "";
}

const quietly = () => {
  vi.spyOn(console, "error").mockImplementation(() => {});
  vi.spyOn(console, "log").mockImplementation(() => {});
};

describe("the re-encryption job", () => {
  it("rewrites a value only if it is unchanged since it was read", async () => {
    quietly();
    const keys = ringAfter();
    const orgId = uniqueOrg();
    const a = await createEndpoint({ orgId, url: "https://a.receiver.test/h" });
    const b = await createEndpoint({ orgId, url: "https://b.receiver.test/h" });
    const meanwhile = await encrypt(keys, sealedFor.endpointSecret(b.id), "whsec_new");
    const db = changedBefore(
      (sql) => sql.some((s) => /^update "webhook_endpoints"/i.test(s)),
      () =>
        env.DB.prepare("UPDATE webhook_endpoints SET secret = ? WHERE id = ?")
          .bind(meanwhile, b.id)
          .run(),
    );
    await reencryptSecrets(keys, new Db(db));
    expect(await secretOf(a.id)).toMatch(`enc:v2:${await idOfKey(keys.ENCRYPTION_KEY)}:`);
    expect(await decrypt(keys, sealedFor.endpointSecret(a.id), await secretOf(a.id))).toBe(
      a.secret,
    );
    expect(await secretOf(b.id)).toBe(meanwhile);
  });

  it("walks in bounded chunks, continuing where the last run stopped", async () => {
    quietly();
    const keys = ringAfter();
    const orgId = uniqueOrg();
    const made = await Promise.all(
      [0, 1, 2].map((i) => createEndpoint({ orgId, url: `https://c${i}.receiver.test/h` })),
    );
    const id = await idOfKey(keys.ENCRYPTION_KEY);
    const done = async () =>
      (await Promise.all(made.map((e) => secretOf(e.id)))).every((s) =>
        s.startsWith(`enc:v2:${id}:`),
      );
    // One chunk of one endpoint per run: only a stored position gets past the first.
    for (let run = 0; run < 200 && !(await done()); run++) {
      const result = await reencryptSecrets(keys, new Db(env.DB), {
        secretsChunk: 1,
        responsesChunk: 1,
        budgetMs: 0,
      });
      expect(result.reencrypted).toBeLessThanOrEqual(1);
    }
    expect(await done()).toBe(true);
  });

  it("reports a pass's progress, and a pass started within the rollout window starts another", async () => {
    quietly();
    const keys = ringAfter();
    const orgId = uniqueOrg();
    await Promise.all(
      [0, 1, 2].map((i) => createEndpoint({ orgId, url: `https://r${i}.receiver.test/h` })),
    );
    const t0 = Date.UTC(2030, 0, 1);
    const run = (at: number, budgetMs = 0) =>
      reencryptSecrets(keys, new Db(env.DB), {
        secretsChunk: 1,
        responsesChunk: 1,
        budgetMs,
        clock: () => at,
      });
    // One chunk per run: the pass's counts grow from run to run.
    let result = await run(t0);
    let found = result.pass.found;
    for (let i = 0; i < 500 && result.pass.phase !== "done"; i++) {
      result = await run(t0);
      expect(result.pass.found).toBeGreaterThanOrEqual(found);
      found = result.pass.found;
    }
    expect(result).toMatchObject({
      complete: false,
      keySeenAt: new Date(t0).toISOString(),
      pass: { phase: "done", startedAt: new Date(t0).toISOString(), afterRollout: false },
    });
    expect(result.pass.found).toBeGreaterThanOrEqual(3);

    // Sealed under the previous key behind the finished pass, as an isolate of the old version would.
    const late = await createEndpoint({ orgId, url: "https://late.receiver.test/h" });
    const later = t0 + ROLLOUT_MS;
    result = await run(later, 60_000);
    expect(result).toMatchObject({
      keySeenAt: new Date(t0).toISOString(),
      pass: { startedAt: new Date(later).toISOString(), afterRollout: true },
    });
    expect(await secretOf(late.id)).toMatch(`enc:v2:${await idOfKey(keys.ENCRYPTION_KEY)}:`);
  });

  it("does not complete while a value opens with no key of the ring, and says which", async () => {
    const keys = ringAfter();
    const orgId = uniqueOrg();
    const lost = await createEndpoint({ orgId, url: "https://lost.receiver.test/h" });
    await env.DB.prepare("UPDATE webhook_endpoints SET secret = ? WHERE id = ?")
      .bind(
        await encrypt(
          { ENCRYPTION_KEY: newEncryptionKey() },
          sealedFor.endpointSecret(lost.id),
          "x",
        ),
        lost.id,
      )
      .run();
    const errors: Record<string, unknown>[] = [];
    vi.spyOn(console, "error").mockImplementation((line) => errors.push(JSON.parse(String(line))));
    const result = await reencryptSecrets(keys, new Db(env.DB));
    expect(result).toMatchObject({ complete: false });
    expect(result.unreadable).toBeGreaterThanOrEqual(1);
    expect(result.pass.unreadable).toBeGreaterThanOrEqual(1);
    expect(errors).toContainEqual(
      expect.objectContaining({
        level: "error",
        message: "re-encryption: a value no key of the ring opens",
        row: `endpoint ${lost.id}`,
      }),
    );
    // The next run starts a new pass and finds it again.
    errors.length = 0;
    expect((await reencryptSecrets(keys, new Db(env.DB))).complete).toBe(false);
    expect(errors).toContainEqual(expect.objectContaining({ row: `endpoint ${lost.id}` }));
  });

  it("starts over from a position it does not understand, and says so", async () => {
    const keys = ringAfter();
    const e = await createEndpoint({ orgId: uniqueOrg(), url: "https://g.receiver.test/h" });
    await env.DB.prepare(
      "INSERT INTO service_state (name, value, updated_at) VALUES ('reencryption', ?, 0) ON CONFLICT (name) DO UPDATE SET value = excluded.value",
    )
      .bind('{"phase":"secrets","after":42}')
      .run();
    const errors: Record<string, unknown>[] = [];
    vi.spyOn(console, "error").mockImplementation((line) => errors.push(JSON.parse(String(line))));
    await reencryptSecrets(keys, new Db(env.DB));
    expect(errors).toContainEqual(
      expect.objectContaining({ message: "re-encryption position not understood: starting over" }),
    );
    expect(await secretOf(e.id)).toMatch(`enc:v2:${await idOfKey(keys.ENCRYPTION_KEY)}:`);
  });

  it("reads and writes by index only", async () => {
    quietly();
    const keys = ringAfter();
    await createEndpoint({ orgId: uniqueOrg(), url: "https://p.receiver.test/h" });
    const counting = countingEnv();
    await reencryptSecrets(keys, new Db(counting.env.DB));
    const sql = [...counting.prepared];
    expect(sql.filter((s) => /^update /i.test(s))).toHaveLength(2);
    expect(await queryPlanProblems(sql)).toEqual([]);
  });
});
