import { afterAll, afterEach } from "vitest";
import { guardedFetch, takeRefused } from "./network";

/**
 * What makes a test fail besides its assertions (test/setup.ts calls
 * `beHermetic` for every file): a request that would leave the process
 * (./network.ts), a line on `console.error` or `console.warn` that no test
 * expected, and a promise rejection no one handled. A test that expects an
 * error line captures it with `vi.spyOn(console, "error").mockImplementation(…)`
 * and asserts it: a spy's own implementation never reaches the guard.
 * Whatever happens between tests (a queue batch, a `waitUntil` task) is
 * charged to the next test, or to the file when no test follows.
 */

const GUARDED = Symbol.for("test.hermetic.guarded");
type Guarded = ((...args: unknown[]) => void) & { [GUARDED]?: true };

const unexpected: string[] = [];

const text = (args: unknown[]) =>
  args.map((a) => (a instanceof Error ? (a.stack ?? a.message) : String(a))).join(" ");

function guardConsole(level: "error" | "warn") {
  // With isolation off the setup file runs again for every file: guard once.
  if ((console[level] as Guarded)[GUARDED]) return;
  const guard: Guarded = (...args) => unexpected.push(`console.${level}: ${text(args)}`);
  guard[GUARDED] = true;
  console[level] = guard;
}

let listening = false;

function problems(): string[] {
  return [...takeRefused().map((what) => `fetch: ${what} was refused`), ...unexpected.splice(0)];
}

function check(where: string) {
  const found = problems();
  if (found.length) {
    throw new Error(`${found.length} unexpected event(s) ${where}:\n${found.join("\n")}`);
  }
}

export function beHermetic() {
  if (globalThis.fetch !== guardedFetch) globalThis.fetch = guardedFetch as typeof fetch;
  guardConsole("error");
  guardConsole("warn");
  if (!listening) {
    listening = true;
    // A listener of our own also tells Vitest to leave the report to it.
    process.on("unhandledRejection", (reason) => {
      unexpected.push(`unhandled rejection: ${text([reason])}`);
    });
  }
  afterEach(() => check("during this test"));
  afterAll(() => check("after the last test of this file"));
}
