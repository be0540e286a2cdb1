import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { type Kv, parseBulkGet, parseKeyList } from "./kv";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
export const WRANGLER = join(ROOT, "node_modules/.bin/wrangler");

/**
 * wrangler writes a debug log of everything it does (every D1 call of a dev
 * server included) to ~/.config/.wrangler/logs by default, and never prunes it.
 * Ours stays in the project's .wrangler/logs, rotated by size.
 */
export const LOG_DIR = join(ROOT, ".wrangler/logs");
const CLI_LOG = join(LOG_DIR, "wrangler.log");

export const wranglerEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  // Otherwise miniflare fetches a `Request.cf` sample from the internet.
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  // The banner asks the npm registry for a newer wrangler; ours is pinned (Node 20).
  WRANGLER_HIDE_BANNER: "true",
  WRANGLER_LOG_PATH: CLI_LOG,
};

/** Moves a log past `maxBytes` aside to `<name>.1.log` (replacing the last one). */
export function rotateLog(file: string, maxBytes: number) {
  mkdirSync(LOG_DIR, { recursive: true });
  try {
    if (statSync(file).size > maxBytes) renameSync(file, file.replace(/\.log$/, ".1.log"));
  } catch {
    // No log yet.
  }
}

export const fromRoot = (path: string) => relative(process.cwd(), path) || ".";

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
      const reason = /\[ERROR\]\s*(.+)/.exec(text)?.[1] ?? `exited with code ${code}`;
      fail(
        new WranglerError(
          `wrangler ${args.slice(0, 3).join(" ")}: ${reason.trim()} (log: ${fromRoot(CLI_LOG)})`,
        ),
      );
    });
  });
}

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
 * The API_KEYS namespace through wrangler: the local state `npm run dev` uses
 * (or `persistTo`, the benchmark's own), or the deployed one with `remote`.
 */
export function wranglerKv(opts: { remote: boolean; persistTo?: string }): Kv {
  const target = opts.remote
    ? ["--remote"]
    : ["--local", ...(opts.persistTo ? ["--persist-to", opts.persistTo] : [])];
  const kv = (command: string[]) =>
    wrangler(["kv", ...command, "--binding", "API_KEYS", ...target]);
  return {
    where: opts.remote
      ? "the deployed API_KEYS namespace"
      : `local KV (${fromRoot(opts.persistTo ?? join(ROOT, ".wrangler/state"))})`,
    async getMany(keys) {
      const values = new Map<string, string | null>();
      for (let i = 0; i < keys.length; i += BULK_GET_MAX) {
        const chunk = keys.slice(i, i + BULK_GET_MAX);
        const out = await withJsonFile(chunk, (file) => kv(["bulk", "get", file]));
        for (const [key, value] of parseBulkGet(out, chunk)) values.set(key, value);
      }
      return values;
    },
    async list(prefix) {
      const names = parseKeyList(await kv(["key", "list", "--prefix", prefix]));
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
