/**
 * The scripts' local D1 while `npm run dev` writes to it (scripts/lib/busy.ts):
 * a call refused on the lock is tried again for a bounded time, anything else
 * fails at once, workerd's reports of the lock stay off the terminal.
 */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { bindingKv, bindingSql } from "../../scripts/lib/bindings";
import {
  type Attempt,
  BusyLog,
  backoff,
  isLocked,
  kvAttempt,
  type LockWait,
  retryWhileLocked,
  StillLocked,
  withoutStack,
} from "../../scripts/lib/busy";
import { applyMigrations } from "../../scripts/lib/migrations";

// What the scripts' workerd and its D1 binding said when dev held the database (a reviewer's run).
const LOCKED_IN_BATCH = "D1_ERROR: NOSENTRY database is locked: SQLITE_BUSY";
const REPORT = [
  "workerd/jsg/util.c++:405: error: e = workerd/util/sqlite.c++:1672: failed: SENTRY_DO SQLite failed; NOSENTRY database is locked: SQLITE_BUSY",
  "stack: /x/node_modules/@cloudflare/workerd-linux-64/bin/workerd@32ec365 /x/bin/workerd@32f9fe7; sentryErrorContext = jsgInternalError; wdErrId = kjgoum3487rihmee8cb3ukvq",
];
const LOCKED_AFTER_BATCH = `D1_ERROR: Failed to parse body as JSON, got: Error: internal error; reference = kjgoum3487rihmee8cb3ukvq
    at D1DatabaseObject.queryExecute (file:///x/node_modules/miniflare/dist/src/workers/d1/database.worker.js:191:73)
    at async D1DatabaseObject.fetch (file:///x/node_modules/miniflare/dist/src/workers/shared/index.worker.js:377:36)`;

/** A clock that moves only when the code under test pauses; the pauses it asked for. */
function fakeTime() {
  let time = 1_000;
  const pauses: number[] = [];
  return {
    pauses,
    now: () => time,
    sleep: async (ms: number) => {
      pauses.push(ms);
      time += ms;
    },
  };
}

const lockedByMessage = (err: unknown) => err instanceof Error && /SQLITE_BUSY/.test(err.message);

/** `work` that fails on the lock `failures` times, then answers `value`; how often it ran. */
function refusedThen<T>(failures: number, value: T, message = LOCKED_IN_BATCH) {
  const state = { runs: 0 };
  const work = async () => {
    state.runs++;
    if (state.runs <= failures) throw new Error(message);
    return value;
  };
  return { state, work };
}

describe("retryWhileLocked", () => {
  it("runs a call refused on the lock again until it goes through, pausing in between", async () => {
    const time = fakeTime();
    const { state, work } = refusedThen(3, "rows");
    const wait: LockWait = { locked: lockedByMessage, timeoutMs: 5_000, ...time, random: () => 0 };
    await expect(retryWhileLocked(work, wait)).resolves.toBe("rows");
    expect(state.runs).toBe(4);
    expect(time.pauses).toEqual([10, 20, 40]);
  });

  it("runs a call once when it goes through, and throws any other failure at once", async () => {
    const time = fakeTime();
    const ok = refusedThen(0, 1);
    await expect(
      retryWhileLocked(ok.work, { locked: lockedByMessage, timeoutMs: 5_000, ...time }),
    ).resolves.toBe(1);
    expect(ok.state.runs).toBe(1);
    const broken = refusedThen(5, 1, "D1_ERROR: UNIQUE constraint failed: t.x: SQLITE_CONSTRAINT");
    await expect(
      retryWhileLocked(broken.work, { locked: lockedByMessage, timeoutMs: 5_000, ...time }),
    ).rejects.toThrow(/UNIQUE constraint failed/);
    expect(broken.state.runs).toBe(1);
    expect(time.pauses).toEqual([]);
  });

  it("gives up with StillLocked once the database stayed locked for the whole wait, never waiting past it", async () => {
    const time = fakeTime();
    const { state, work } = refusedThen(Number.POSITIVE_INFINITY, 0);
    const wait: LockWait = { locked: lockedByMessage, timeoutMs: 5_000, ...time, random: () => 1 };
    const err = await retryWhileLocked(work, wait).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(StillLocked);
    expect((err as StillLocked).waitedMs).toBe(5_000);
    expect(time.pauses.reduce((a, b) => a + b, 0)).toBe(5_000);
    expect(Math.max(...time.pauses)).toBe(250);
    // 20, 40, 80, 160, then 250 ms each: about two dozen tries in 5 s.
    expect(state.runs).toBe(24);
  });

  it("pauses 20 ms doubling to 250 ms, each between half and all of it", () => {
    expect([0, 1, 2, 3, 4, 10].map((n) => backoff(n, () => 0.999_999))).toEqual([
      20, 40, 80, 160, 250, 250,
    ]);
    expect([0, 1, 2, 3, 4, 10].map((n) => backoff(n, () => 0))).toEqual([10, 20, 40, 80, 125, 125]);
  });
});

describe("BusyLog and isLocked", () => {
  const noWait = async () => {};

  it("keeps workerd's SQLITE_BUSY report off the terminal and remembers its id", async () => {
    const log = new BusyLog();
    expect(REPORT.map((line) => log.line(line))).toEqual([false, false]);
    expect(await log.busy("kjgoum3487rihmee8cb3ukvq", 0, noWait)).toBe(true);
    expect(await log.busy("someotherid", 30, noWait)).toBe(false);
  });

  it("prints every other line, other workerd errors and their stacks included", () => {
    const log = new BusyLog();
    const other = [
      "workerd/server/server.c++:1234: error: e = something else broke; wdErrId = abc123",
      "stack: /x/bin/workerd@1 /x/bin/workerd@2; wdErrId = abc123",
      "a line of the runtime's own",
    ];
    expect([...REPORT, ...other, ...REPORT, "after"].map((line) => log.line(line))).toEqual([
      false,
      false,
      true,
      true,
      true,
      false,
      false,
      true,
    ]);
  });

  it("tells the lock, in the batch or after it, from any other failure", async () => {
    const log = new BusyLog();
    for (const line of REPORT) log.line(line);
    expect(await isLocked(new Error(LOCKED_IN_BATCH), log)).toBe(true);
    expect(await isLocked(new Error(LOCKED_AFTER_BATCH), log)).toBe(true);
    // An internal error workerd reported as something else, and any other failure.
    log.line("workerd/io/worker.c++:99: error: e = other; wdErrId = zzz");
    const other =
      "D1_ERROR: Failed to parse body as JSON, got: Error: internal error; reference = zzz";
    expect(await isLocked(new Error(other), log)).toBe(false);
    expect(await isLocked(new Error("D1_ERROR: no such table: t: SQLITE_ERROR"), log)).toBe(false);
  });
});

describe("withoutStack", () => {
  it("drops the stack a D1 error carries in its message, and leaves any other error as it is", () => {
    const bare = withoutStack(new Error(LOCKED_AFTER_BATCH));
    expect(bare).toBeInstanceOf(Error);
    expect((bare as Error).message).toBe(LOCKED_AFTER_BATCH.split("\n")[0]);
    const plain = new Error("D1_ERROR: no such table: t: SQLITE_ERROR");
    expect(withoutStack(plain)).toBe(plain);
    expect(withoutStack("text")).toBe("text");
  });
});

describe("kvAttempt", () => {
  const KV_LOCKED = "NOSENTRY database is locked: SQLITE_BUSY";
  const wait =
    (locked: (err: unknown) => boolean | Promise<boolean>): Attempt =>
    (work) =>
      retryWhileLocked(work, { locked, timeoutMs: 5_000, sleep: async () => {} });

  it("tries a KV call again when it failed with a 500 while Miniflare's log was told of a lock", async () => {
    const log = new BusyLog();
    const attempt = kvAttempt(log, wait);
    let runs = 0;
    const value = await attempt(async () => {
      runs++;
      if (runs < 3) {
        log.error(KV_LOCKED);
        throw new Error("KV PUT failed: 500 Internal Server Error");
      }
      return "put";
    });
    expect(value).toBe("put");
    expect(runs).toBe(3);
  });

  it("waits a little for a report of the lock that comes after the binding's answer", async () => {
    const log = new BusyLog();
    const attempt = kvAttempt(log, wait);
    let runs = 0;
    const value = await attempt(async () => {
      runs++;
      if (runs === 1) {
        setTimeout(() => log.error(KV_LOCKED), 30);
        throw new Error("KV DELETE failed: 500 Internal Server Error");
      }
      return "deleted";
    });
    expect(value).toBe("deleted");
    expect(runs).toBe(2);
  });

  it("throws a 500 when no lock was logged since that call began, and any other failure at once", async () => {
    const log = new BusyLog();
    log.error(KV_LOCKED); // before the call: another call's
    log.error("something else went wrong");
    const attempt = kvAttempt(log, wait);
    let runs = 0;
    const failing = (message: string) => async () => {
      runs++;
      throw new Error(message);
    };
    await expect(attempt(failing("KV GET failed: 500 Internal Server Error"))).rejects.toThrow(
      /500/,
    );
    log.error(KV_LOCKED);
    await expect(attempt(failing("KV GET failed: 400 Bad Request"))).rejects.toThrow(/400/);
    expect(runs).toBe(2);
  });
});

describe("the scripts' D1 calls go through the retry, and a failed batch leaves nothing", () => {
  const db = env.SCRIPT_BUSY;

  /** A retry whose first try of each call is refused on the lock, without reaching D1. */
  function refusingFirst() {
    const calls = { tries: 0, refused: 0 };
    const attempt: Attempt = (work) => {
      let first = true;
      return retryWhileLocked(
        async () => {
          calls.tries++;
          if (first) {
            first = false;
            calls.refused++;
            throw new Error(LOCKED_IN_BATCH);
          }
          return work();
        },
        { locked: lockedByMessage, timeoutMs: 5_000, sleep: async () => {} },
      );
    };
    return { calls, attempt };
  }

  it("runs each batch of bindingSql through it: every statement once", async () => {
    await db.prepare("DROP TABLE IF EXISTS busy_retry").run();
    const { calls, attempt } = refusingFirst();
    const sql = bindingSql(db, "test D1", attempt);
    await sql.run(["CREATE TABLE busy_retry (x INTEGER)"]);
    await sql.run(["INSERT INTO busy_retry VALUES (1)", "INSERT INTO busy_retry VALUES (2)"]);
    expect(await sql.all("SELECT x FROM busy_retry ORDER BY x")).toEqual([{ x: 1 }, { x: 2 }]);
    expect(calls).toEqual({ tries: 6, refused: 3 });
  });

  it("runs each call of applyMigrations through it: each file applied and recorded once", async () => {
    await db.batch([
      db.prepare("DROP TABLE IF EXISTS busy_migrations"),
      db.prepare("DROP TABLE IF EXISTS busy_migrated"),
    ]);
    const { calls, attempt } = refusingFirst();
    const file = { name: "0001_busy.sql", text: "CREATE TABLE busy_migrated (x);" };
    expect(await applyMigrations(db, [file], "busy_migrations", attempt)).toEqual([
      "0001_busy.sql",
    ]);
    // The tracking table, the applied names, the file's batch.
    expect(calls).toEqual({ tries: 6, refused: 3 });
    const { results } = await db.prepare("SELECT name FROM busy_migrations").all();
    expect(results).toEqual([{ name: "0001_busy.sql" }]);
    expect(await applyMigrations(db, [file], "busy_migrations", attempt)).toEqual([]);
  });

  it("runs each KV call of bindingKv through it: every key put, read, listed and deleted once", async () => {
    const { calls, attempt } = refusingFirst();
    const kv = bindingKv(env.API_KEYS, "test KV", `busy-test-${crypto.randomUUID()}:`, attempt);
    await kv.putMany([
      { key: "a", value: "1" },
      { key: "b", value: "2", metadata: { m: 1 } },
    ]);
    expect(await kv.getMany(["a", "b"])).toEqual(
      new Map([
        ["a", "1"],
        ["b", "2"],
      ]),
    );
    expect((await kv.list("")).sort()).toEqual(["a", "b"]);
    await kv.deleteMany(["a", "b"]);
    expect(await kv.list("")).toEqual([]);
    // 2 puts, 2 gets, 1 list, 2 deletes, 1 list.
    expect(calls).toEqual({ tries: 16, refused: 8 });
  });

  it("leaves nothing of a batch that failed part way (what makes trying it again safe)", async () => {
    await db.prepare("DROP TABLE IF EXISTS busy_atomic").run();
    await db.prepare("CREATE TABLE busy_atomic (x INTEGER UNIQUE)").run();
    const sql = bindingSql(db, "test D1");
    await expect(
      sql.run([
        "INSERT INTO busy_atomic VALUES (1)",
        "INSERT INTO busy_atomic VALUES (2)",
        "INSERT INTO busy_atomic VALUES (1)",
      ]),
    ).rejects.toThrow(/UNIQUE/);
    expect(await sql.all("SELECT x FROM busy_atomic")).toEqual([]);
  });
});
