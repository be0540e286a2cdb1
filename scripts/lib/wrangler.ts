import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { type Kv, parseBulkGet, parseKvKeyNames } from "./kv";
import { sayIfSlow } from "./progress";
import { chunks, commandsOf, parseExecuteOutput, type Sql } from "./sql";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const WRANGLER = join(ROOT, "node_modules/.bin/wrangler");

/**
 * wrangler writes a debug log of everything it does (every D1 call of a dev
 * server included) to ~/.config/.wrangler/logs by default, and never prunes it.
 * Ours stays in the project's .wrangler/logs, rotated by size.
 */
export const LOG_DIR = join(ROOT, ".wrangler/logs");
const CLI_LOG = join(LOG_DIR, "wrangler.log");

/** What every wrangler the scripts run gets, as a process or in-process (see platform.ts). */
export const WRANGLER_SETTINGS = {
  WRANGLER_SEND_METRICS: "false",
  // Otherwise miniflare fetches a `Request.cf` sample from the internet.
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  // The banner asks the npm registry for a newer wrangler; ours is pinned (Node 20).
  WRANGLER_HIDE_BANNER: "true",
  WRANGLER_LOG_PATH: CLI_LOG,
};

export const wranglerEnv = { ...process.env, ...WRANGLER_SETTINGS };

/** Moves a log past `maxBytes` aside to `<name>.1.log` (replacing the last one). */
export function rotateLog(file: string, maxBytes: number) {
  mkdirSync(LOG_DIR, { recursive: true });
  try {
    if (statSync(file).size > maxBytes) renameSync(file, file.replace(/\.log$/, ".1.log"));
  } catch {
    // No log yet.
  }
}

const fromRoot = (path: string) => relative(process.cwd(), path) || ".";

/** A wrangler command that failed: its own error line, and where the full log is. */
export class WranglerError extends Error {}

/**
 * Runs a wrangler command quietly and returns its stdout. On failure, throws
 * with wrangler's "[ERROR]" line; everything else is in the log.
 */
export function wrangler(args: string[]): Promise<string> {
  rotateLog(CLI_LOG, 5_000_000);
  return new Promise((done, fail) => {
    const child = spawn(WRANGLER, args, { cwd: ROOT, env: wranglerEnv, stdio: "pipe" });
    child.stdin.end();
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d;
    });
    child.stderr.on("data", (d: Buffer) => {
      err += d;
    });
    child.on("error", fail);
    child.on("close", (code) => {
      if (code === 0) return done(out);
      const text = stripVTControlCharacters(`${err}\n${out}`);
      const reason =
        /\[ERROR\]\s*(.+)/.exec(text)?.[1] ?? jsonError(out) ?? `exited with code ${code}`;
      fail(
        new WranglerError(
          `wrangler ${args.slice(0, 3).join(" ")}: ${reason.trim()} (log: ${fromRoot(CLI_LOG)})`,
        ),
      );
    });
  });
}

/** With `--json`, wrangler prints a failure as `{ "error": { "text": ... } }` on stdout. */
function jsonError(out: string): string | undefined {
  try {
    const parsed: unknown = JSON.parse(out.slice(out.indexOf("{"), out.lastIndexOf("}") + 1));
    const error = (parsed as { error?: { text?: unknown } } | null)?.error;
    return typeof error?.text === "string" ? error.text : undefined;
  } catch {
    return undefined;
  }
}

/** A command against the deployed resources takes seconds: say so when it does. */
const waitingOn = <T>(target: Target, work: Promise<T>, what: string) =>
  target.remote ? sayIfSlow(work, `${what}...`, 1000) : work;

/** wrangler's bulk commands read their input from a file. */
function withJsonFile<T>(data: unknown, fn: (file: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), "kv-"));
  const file = join(dir, "bulk.json");
  writeFileSync(file, JSON.stringify(data));
  return fn(file).finally(() => rmSync(dir, { recursive: true, force: true }));
}

/** The Cloudflare API reads at most 100 keys per bulk get. */
const BULK_GET_MAX = 100;
/** wrangler reads local KV lists in one page (its default limit). */
const LOCAL_LIST_MAX = 1000;

/**
 * Where the scripts act: the local state `npm run dev` uses (or `persistTo`,
 * the benchmark's own), or the deployed resources; `env`: a wrangler
 * environment (`--env`), whose bindings replace the top-level ones.
 */
export type Target = { remote: boolean; env?: string; persistTo?: string };

/** The state directory wrangler's `--persist-to` takes (it keeps its data in `v3/` inside). */
export const STATE_DIR = join(ROOT, ".wrangler/state");

function targetFlags(target: Target): string[] {
  const env = target.env ? ["--env", target.env] : [];
  if (target.remote) return ["--remote", ...env];
  return ["--local", ...(target.persistTo ? ["--persist-to", target.persistTo] : []), ...env];
}

export const localState = (target: Target) => fromRoot(target.persistTo ?? STATE_DIR);

/**
 * The API_KEYS namespace through wrangler: the local state `npm run dev` uses
 * (or `persistTo`, the benchmark's own), or the deployed one with `remote`.
 */
export function wranglerKv(opts: Target): Kv {
  const target = targetFlags(opts);
  const kv = (command: string[]) =>
    waitingOn(
      opts,
      wrangler(["kv", ...command, "--binding", "API_KEYS", ...target]),
      `wrangler kv ${command.slice(0, 2).join(" ")} on the deployed API_KEYS`,
    );
  return {
    where: opts.remote ? "the deployed API_KEYS namespace" : `local KV (${localState(opts)})`,
    async getMany(keys) {
      const values = new Map<string, string | null>();
      for (const chunk of chunks(keys, BULK_GET_MAX)) {
        const out = await withJsonFile(chunk, (file) => kv(["bulk", "get", file]));
        for (const [key, value] of parseBulkGet(out, chunk)) values.set(key, value);
      }
      return values;
    },
    async list(prefix) {
      const names = parseKvKeyNames(await kv(["key", "list", "--prefix", prefix]));
      if (!opts.remote && names.length >= LOCAL_LIST_MAX) {
        console.error(`warning: local KV lists at most ${LOCAL_LIST_MAX} keys; some were left out`);
      }
      return names;
    },
    async putMany(entries) {
      if (entries.length > 0) await withJsonFile(entries, (file) => kv(["bulk", "put", file]));
    },
    async deleteMany(keys) {
      if (keys.length > 0) {
        await withJsonFile(keys, (file) => kv(["bulk", "delete", file, "--force"]));
      }
    },
  };
}

/**
 * A command line argument holds at most 128 KiB (Linux), and D1 takes at most
 * 100 KB of SQL per statement: larger runs are split into several commands.
 */
const COMMAND_MAX_BYTES = 64_000;

/**
 * The DB database through `wrangler d1 execute`, at the same target as
 * `wranglerKv`. `--command`, not `--file`: with `--remote`, a file goes through
 * D1's import, which makes the database unavailable while it runs and returns
 * no rows. The statements of one command run as one batch.
 */
export function wranglerSql(opts: Target): Sql {
  const target = targetFlags(opts);
  const run = async (statements: readonly string[]) => {
    const rows = [];
    for (const command of commandsOf(statements, COMMAND_MAX_BYTES)) {
      const execute = wrangler([
        "d1",
        "execute",
        "DB",
        ...target,
        "--json",
        "--command",
        command.join(";\n"),
      ]);
      const out = await waitingOn(opts, execute, "wrangler d1 execute on the deployed DB").catch(
        (err: unknown) => {
          if (err instanceof WranglerError && /no such table/.test(err.message)) {
            const migrate = opts.remote
              ? "npx wrangler d1 migrations apply DB --remote"
              : "npm run db:migrate:local (npm run dev does it too)";
            throw new WranglerError(`${err.message}\napply the D1 migrations first: ${migrate}`);
          }
          throw err;
        },
      );
      rows.push(...parseExecuteOutput(out, command.length));
    }
    return rows;
  };
  return {
    where: opts.remote ? "the deployed D1 database" : `local D1 (${localState(opts)})`,
    run,
    async all(query) {
      return (await run([query]))[0] ?? [];
    },
  };
}
