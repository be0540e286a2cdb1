import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { config, ROOT } from "./config";

/** Tables left out of the benchmark's copy of wrangler.toml. */
const LEFT_OUT = new Set(["[assets]", "[build]"]);

/**
 * The service's wrangler.toml without Static Assets. In production the
 * platform routes a request to an asset or to the worker before the worker
 * runs, at no cost to it; `wrangler dev` emulates that router as one more
 * local worker and proxy hop in front of every request, which the floor
 * (no assets) does not pay. The benchmark measures the worker, so both sides
 * run without it. Relative paths are made absolute, as the copy lives in
 * bench/.state.
 */
export function writeServiceConfig(): string {
  const source = readFileSync(resolve(ROOT, "wrangler.toml"), "utf8");
  const kept: string[] = [];
  let skipping = false;
  for (const line of source.split("\n")) {
    const header = line.match(/^\s*(\[\[?[^\]]+\]\]?)\s*$/)?.[1];
    if (header !== undefined) skipping = LEFT_OUT.has(header);
    if (skipping) continue;
    kept.push(
      line
        .replace(/^(main|migrations_dir)\s*=\s*"([^"]+)"/, (_, key: string, path: string) => {
          return `${key} = ${JSON.stringify(resolve(ROOT, path))}`;
        })
        // [alias] targets such as "./src/lib/no-zod-locales.ts".
        .replace(
          /=\s*"(\.\/[^"]+)"/,
          (_, path: string) => `= ${JSON.stringify(resolve(ROOT, path))}`,
        ),
    );
  }
  const out = config.service.devConfig;
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, kept.join("\n"));
  return out;
}
