import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { config } from "./config";
import { buildBundle } from "./worker-config";

export type BundleSize = { files: string[]; rawBytes: number; gzipBytes: number };

/**
 * What `wrangler deploy` would upload for the service, built by its own dry
 * run into config.service.bundleDir (the benchmark then runs that bundle),
 * measured raw and gzipped (default level, as wrangler reports it against
 * the upload limit).
 */
export async function measureBundle(): Promise<BundleSize> {
  const outdir = config.service.bundleDir;
  rmSync(outdir, { recursive: true, force: true });
  await buildBundle(config.service.config, outdir, "bundle");
  const files = readdirSync(outdir).filter((f) => f.endsWith(".js") || f.endsWith(".mjs"));
  if (files.length === 0) throw new Error(`no JavaScript in ${outdir}`);
  let rawBytes = 0;
  let gzipBytes = 0;
  for (const file of files) {
    const bytes = readFileSync(join(outdir, file));
    rawBytes += bytes.byteLength;
    gzipBytes += gzipSync(bytes).byteLength;
  }
  return { files, rawBytes, gzipBytes };
}
