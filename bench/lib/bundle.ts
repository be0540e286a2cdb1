import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { config } from "./config";
import { runWrangler } from "./servers";

export type BundleSize = { files: string[]; rawBytes: number; gzipBytes: number };

/**
 * What `wrangler deploy` would upload, built by its own dry run (which never
 * contacts Cloudflare), measured raw and gzipped (default level, as wrangler
 * reports it against the upload limit).
 */
export async function measureBundle(): Promise<BundleSize> {
  rmSync(config.bundleOut, { recursive: true, force: true });
  await runWrangler(
    ["deploy", "--dry-run", "--outdir", config.bundleOut, "-c", config.service.config],
    "bundle.log",
  );
  const files = readdirSync(config.bundleOut).filter(
    (f) => f.endsWith(".js") || f.endsWith(".mjs"),
  );
  if (files.length === 0) throw new Error(`no JavaScript in ${config.bundleOut}`);
  let rawBytes = 0;
  let gzipBytes = 0;
  for (const file of files) {
    const bytes = readFileSync(join(config.bundleOut, file));
    rawBytes += bytes.byteLength;
    gzipBytes += gzipSync(bytes).byteLength;
  }
  return { files, rawBytes, gzipBytes };
}
