/**
 * Waiting out a local D1 or KV that `npm run dev` is writing to. The scripts' own
 * workerd (platform.ts) and dev's open the same SQLite files; SQLite lets one
 * connection write at a time and workerd waits for no lock, so a statement
 * that needs it while dev holds it fails at once, in one of two ways:
 *
 * - inside the batch, where the first write takes the lock: the binding says
 *   `D1_ERROR: ... database is locked: SQLITE_BUSY`, and the batch's
 *   savepoint is rolled back;
 * - after a batch that wrote nothing (a read, `CREATE TABLE IF NOT EXISTS` of
 *   a table that exists): the D1 simulator then writes its session bookmark,
 *   outside the batch, and that write is the one refused. The binding only
 *   gets `internal error; reference = <id>`; workerd prints the SQLITE_BUSY
 *   with that id (`wdErrId`) on its stderr.
 *
 * Either way the batch committed nothing: a batch that took the write lock
 * keeps it to its commit (WAL mode: a commit holding the lock is never
 * refused), so only one that had not taken it can meet a lock. Running it
 * again is safe.
 *
 * KV meets the same lock while dev writes to KV (an API key made or revoked
 * over the API): its binding then says only `KV PUT failed: 500 Internal
 * Server Error`, and Miniflare's log gets the SQLITE_BUSY. Each KV call of the
 * scripts reads, or puts or deletes one key: doing it again is safe whatever
 * the first try did. No Node imports here, so the tests can import it.
 */

/** Runs one call of a binding (D1: one statement or one batch), perhaps more than once. */
export type Attempt = <T>(work: () => Promise<T>) => Promise<T>;

/** Runs `work` once: for a binding that never meets another process's lock. */
export const once: Attempt = (work) => work();

const LOCKED = /SQLITE_BUSY|database is locked/;
const WORKERD_ERROR = /^workerd\/\S+:\d+: /;
const ERROR_ID = /wdErrId = (\w+)/;
const INTERNAL_ERROR = /internal error; reference = (\w+)/;
const KV_FAILED = /^KV \w+ failed: 500\b/;

const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Reads workerd's stderr line by line: keeps its SQLITE_BUSY reports (a line
 * `workerd/...: ... SQLITE_BUSY` and its `stack: ... wdErrId = <id>` line) off
 * the terminal and remembers their ids, so that the error the binding got can
 * be told apart from any other internal error. Every other line is printed.
 * Also counts the locks Miniflare's log was told of (`error`), for KV.
 */
export class BusyLog {
  readonly #ids = new Set<string>();
  #inReport = false;
  #locks = 0;

  /** An error Miniflare logged from a simulator (which printed nothing of it). */
  error(message: string) {
    if (LOCKED.test(message)) this.#locks++;
  }

  /** How many locks Miniflare's log was told of so far. */
  get locks(): number {
    return this.#locks;
  }

  /**
   * Whether Miniflare's log was told of more than `before` locks, waiting up
   * to `waitMs` for it (the report can come after the binding's answer).
   */
  async lockedSince(before: number, waitMs = 250, sleep = pause): Promise<boolean> {
    for (let waited = 0; this.#locks <= before && waited < waitMs; waited += 10) await sleep(10);
    return this.#locks > before;
  }

  /** Whether to print `line`. */
  line(line: string): boolean {
    if (WORKERD_ERROR.test(line)) this.#inReport = LOCKED.test(line);
    else if (!line.startsWith("stack: ")) this.#inReport = false;
    if (!this.#inReport) return true;
    const id = ERROR_ID.exec(line)?.[1];
    if (id) this.#ids.add(id);
    return false;
  }

  /** Whether workerd reported `id` as SQLITE_BUSY, waiting up to `waitMs` for its line. */
  async busy(id: string, waitMs = 250, sleep = pause): Promise<boolean> {
    for (let waited = 0; !this.#ids.has(id) && waited < waitMs; waited += 10) await sleep(10);
    return this.#ids.delete(id);
  }
}

/** Whether `err` is a D1 call refused because another process held the database's lock. */
export async function isLocked(err: unknown, log: BusyLog): Promise<boolean> {
  const message = err instanceof Error ? err.message : String(err);
  if (LOCKED.test(message)) return true;
  const id = INTERNAL_ERROR.exec(message)?.[1];
  return id !== undefined && (await log.busy(id));
}

/**
 * Runs KV calls through the `attempt` made with a test that takes a failed
 * call for a lock when it said 500 and Miniflare's log was told of a lock
 * since it began. The scripts make one KV call at a time.
 */
export function kvAttempt(log: BusyLog, attempt: (locked: LockTest) => Attempt): Attempt {
  let before = 0;
  const run = attempt(async (err) => {
    const message = err instanceof Error ? err.message : String(err);
    return KV_FAILED.test(message) && (await log.lockedSince(before));
  });
  return (work) =>
    run(() => {
      before = log.locks;
      return work();
    });
}

/**
 * `err` without the lines of a stack trace in its message (`    at ...`): the
 * D1 simulator's internal errors carry its JavaScript stack there.
 */
export function withoutStack(err: unknown): unknown {
  if (!(err instanceof Error) || !/\n\s+at /.test(err.message)) return err;
  const lines = err.message.split("\n").filter((line) => !/^\s+at /.test(line));
  return new Error(lines.join("\n"), { cause: err });
}

/** The database stayed locked for all of `waitedMs`. */
export class StillLocked extends Error {
  constructor(readonly waitedMs: number) {
    super(`the database stayed locked for ${waitedMs} ms`);
  }
}

export type LockTest = (err: unknown) => boolean | Promise<boolean>;

export type LockWait = {
  /** Whether the failure was a lock (`isLocked`). */
  locked: LockTest;
  /** How long to go on trying, from the first failure. */
  timeoutMs: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** In [0, 1): spreads the pauses so that two waiting processes do not keep colliding. */
  random?: () => number;
};

/** The pause before try `n + 2`: 20 ms doubling up to 250 ms, each between half and all of it. */
export const backoff = (n: number, random: () => number) => {
  const ceiling = Math.min(250, 20 * 2 ** n);
  return Math.ceil(ceiling / 2 + (ceiling / 2) * random());
};

/**
 * Runs `work` (one call of a binding, safe to make again when it failed on a
 * lock) until it succeeds or fails otherwise, pausing between tries, for at most
 * `timeoutMs` after its first failure; then throws `StillLocked`. Any other
 * failure is thrown as it is, at once.
 */
export async function retryWhileLocked<T>(work: () => Promise<T>, wait: LockWait): Promise<T> {
  const { locked, timeoutMs, sleep = pause, now = Date.now, random = Math.random } = wait;
  let since: number | undefined;
  for (let n = 0; ; n++) {
    try {
      return await work();
    } catch (err) {
      if (!(await locked(err))) throw err;
      const time = now();
      since ??= time;
      const left = timeoutMs - (time - since);
      if (left <= 0) throw new StillLocked(time - since);
      await sleep(Math.min(backoff(n, random), left));
    }
  }
}
