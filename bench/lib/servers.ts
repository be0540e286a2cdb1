import { type ChildProcess, spawn } from "node:child_process";
import { createWriteStream, mkdirSync } from "node:fs";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { wranglerEnv } from "../../scripts/lib/wrangler";
import { config, ROOT, type ServerConfig } from "./config";
import { groupCpuMs } from "./cpu";
import type { LaunchOptions } from "./launch";

const WRANGLER = resolve(ROOT, "node_modules/.bin/wrangler");
const TSX = resolve(ROOT, "node_modules/.bin/tsx");
const children = new Set<ChildProcess>();

/**
 * Every child gets its own process group, so stopping it also stops the
 * workerd and esbuild processes wrangler starts under it.
 */
function killGroup(child: ChildProcess, signal: NodeJS.Signals) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

export function stopAll() {
  for (const child of children) killGroup(child, "SIGTERM");
}

/** Stops a child and waits for it, escalating to SIGKILL if it lingers. */
function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((done) => {
    const force = setTimeout(() => killGroup(child, "SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(force);
      children.delete(child);
      done();
    });
    killGroup(child, "SIGTERM");
  });
}

/** For orderly exits: stops every child and waits until each is gone. */
export function stopAllAndWait(): Promise<void> {
  return Promise.all([...children].map(stop)).then(() => undefined);
}

let cleanupInstalled = false;

/** Children must not outlive the benchmark, however it ends. */
export function installCleanup() {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on("exit", stopAll);
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) {
    process.on(signal, () => {
      stopAll();
      process.exit(130);
    });
  }
}

function spawnWrangler(args: string[], logName: string, command = WRANGLER): ChildProcess {
  mkdirSync(config.logs, { recursive: true });
  const log = createWriteStream(join(config.logs, logName), { flags: "a" });
  const child = spawn(command, args, {
    cwd: ROOT,
    // wrangler dev writes every inspector message of every D1 call to a debug
    // log, 100+ MB per benchmark; keep it in the run's own state, not in
    // ~/.config/.wrangler/logs where it would pile up run after run.
    env: {
      ...wranglerEnv,
      WRANGLER_LOG_PATH: join(config.logs, logName.replace(/\.log$/, ".debug.log")),
    },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

/** Runs a one-shot wrangler command; its output goes to the log unless it fails. */
export function runWrangler(args: string[], logName: string): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawnWrangler(args, logName);
    let out = "";
    child.stdout?.on("data", (d: Buffer) => {
      out += d;
    });
    child.stderr?.on("data", (d: Buffer) => {
      out += d;
    });
    child.once("error", fail);
    child.once("exit", (code) =>
      code === 0
        ? done(out)
        : fail(new Error(`wrangler ${args.join(" ")} exited ${code}:\n${out.slice(-2000)}`)),
    );
  });
}

/** Migrates each of the server's D1 `databases` (bindings) in its own local state. */
export async function applyMigrations(server: ServerConfig, logName: string, databases = ["DB"]) {
  for (const database of databases) {
    await runWrangler(
      [
        "d1",
        "migrations",
        "apply",
        database,
        "--local",
        "--persist-to",
        server.state,
        "-c",
        server.devConfig,
      ],
      `${database}-${logName}`,
    );
  }
}

export type RunningServer = {
  url: string;
  stop: () => Promise<void>;
  /** CPU ms used so far by the server's processes, or null where that cannot be read. */
  cpuMs: () => number | null;
  /** False once its process has exited (or was killed by someone else). */
  alive: () => boolean;
};

async function waitUntilServing(url: string, child: ChildProcess, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev for ${url} exited early`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      if (res.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${url} did not answer within ${timeoutMs / 1000} s`);
}

/**
 * The worker on the benchmark's own state: without the DevTools inspector
 * (`inspector` false, see launch.ts), or under `wrangler dev --local` with
 * it. Request logging is off (log level warn) for both workers alike: it
 * costs CPU in wrangler's process.
 */
export async function startDev(
  server: ServerConfig,
  readyPath: string,
  logName: string,
  inspector: boolean,
): Promise<RunningServer> {
  const launch: LaunchOptions = {
    config: server.devConfig,
    port: server.port,
    state: server.state,
    vars: Object.fromEntries(server.vars.map((v) => v.split(":", 2) as [string, string])),
  };
  const child = inspector
    ? spawnWrangler(
        [
          "dev",
          "-c",
          server.devConfig,
          "--local",
          "--ip",
          "127.0.0.1",
          "--port",
          String(server.port),
          "--persist-to",
          server.state,
          "--log-level",
          "warn",
          "--show-interactive-dev-session=false",
          ...server.vars.flatMap((v) => ["--var", v]),
        ],
        logName,
      )
    : spawnWrangler([resolve(ROOT, "bench/lib/launch.ts"), JSON.stringify(launch)], logName, TSX);
  const url = `http://127.0.0.1:${server.port}`;
  try {
    await waitUntilServing(`${url}${readyPath}`, child, 90_000);
  } catch (err) {
    await stop(child);
    throw err;
  }
  const pgid = child.pid;
  return {
    url,
    stop: () => stop(child),
    cpuMs: () => (pgid === undefined ? null : groupCpuMs(pgid)),
    alive: () => child.exitCode === null && child.signalCode === null,
  };
}

/** Fails early, with a clear message, if another process holds a benchmark port. */
export function assertPortFree(port: number): Promise<void> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once("error", () =>
      fail(new Error(`port ${port} is already in use: stop whatever listens there first`)),
    );
    probe.listen(port, "127.0.0.1", () => probe.close(() => done()));
  });
}
