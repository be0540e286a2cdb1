import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const wranglerEnv = {
  ...process.env,
  WRANGLER_SEND_METRICS: "false",
  // Otherwise miniflare fetches a `Request.cf` sample from the internet.
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
};

/**
 * Runs a wrangler command. Its own output goes to stderr, so scripts keep
 * stdout for their result (`key:create` prints only the key there).
 */
export function wrangler(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("npx", ["wrangler", ...args], {
      env: wranglerEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d: Buffer) => {
      out += d;
      process.stderr.write(d);
    });
    child.stderr.on("data", (d: Buffer) => process.stderr.write(d));
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(out) : reject(new Error(`wrangler ${args.join(" ")} exited ${code}`)),
    );
  });
}

export const target = (remote: boolean) => (remote ? "--remote" : "--local");

/**
 * `target(remote)`, plus `--persist-to` when local state lives somewhere other
 * than .wrangler/state (the benchmark keeps its own, away from the developer's).
 */
export const targetFlags = (remote: boolean, persistTo?: string) =>
  !remote && persistTo ? [target(remote), "--persist-to", persistTo] : [target(remote)];

/** wrangler's bulk commands read their input from a file. */
function tempJson(data: unknown): string {
  const file = join(mkdtempSync(join(tmpdir(), "kv-")), "bulk.json");
  writeFileSync(file, JSON.stringify(data));
  return file;
}

/** Writes several KV entries in one wrangler call. */
export async function kvPutMany(
  entries: { key: string; value: string }[],
  remote: boolean,
  persistTo?: string,
) {
  const file = tempJson(entries);
  await wrangler([
    "kv",
    "bulk",
    "put",
    file,
    "--binding",
    "API_KEYS",
    ...targetFlags(remote, persistTo),
  ]);
}

export async function kvGet(key: string, remote: boolean): Promise<string | null> {
  try {
    const out = await wrangler([
      "kv",
      "key",
      "get",
      key,
      "--binding",
      "API_KEYS",
      "--text",
      target(remote),
    ]);
    const value = out.trim();
    return value === "" || value === "Value not found" ? null : value;
  } catch {
    return null;
  }
}

export async function kvDeleteMany(keys: string[], remote: boolean) {
  const file = tempJson(keys);
  await wrangler([
    "kv",
    "bulk",
    "delete",
    file,
    "--binding",
    "API_KEYS",
    "--force",
    target(remote),
  ]);
}
