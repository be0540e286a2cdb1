import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { config } from "./config";
import { runWrangler } from "./servers";

/** Tables left out of the copy a worker runs from: the bundle is built already. */
const LEFT_OUT = new Set(["[build]", "[alias]"]);

/**
 * What `wrangler deploy` would upload for `source` (a wrangler.toml), built
 * by its dry run (which never contacts Cloudflare) into `outdir`. `minify`
 * false builds it unminified (for the profiler), whatever the config says.
 */
export async function buildBundle(
  source: string,
  outdir: string,
  logName: string,
  options: { minify?: boolean } = {},
): Promise<string> {
  let from = source;
  if (options.minify === false) {
    from = join(dirname(outdir), `${logName}.wrangler.toml`);
    // Without [build]: it would run from the copy's directory (public/ is there already).
    writeFileSync(
      from,
      rewrite(source, new Set(["[build]"]), (line) =>
        line.replace(/^minify\s*=.*$/, "minify = false"),
      ),
    );
  }
  await runWrangler(["deploy", "--dry-run", "--outdir", outdir, "-c", from], `${logName}.log`);
  return join(outdir, "index.js");
}

/** `source` without the tables `leftOut`, each line through `edit`, relative paths made absolute. */
function rewrite(source: string, leftOut: Set<string>, edit: (line: string) => string): string {
  const base = dirname(source);
  const kept: string[] = [];
  let skipping = false;
  for (const line of readFileSync(source, "utf8").split("\n")) {
    const header = line.match(/^\s*(\[\[?[^\]]+\]\]?)\s*$/)?.[1];
    if (header !== undefined) skipping = leftOut.has(header);
    if (skipping) continue;
    kept.push(
      edit(line)
        .replace(
          /^(main|migrations_dir|directory)\s*=\s*"([^"]+)"/,
          (_, key: string, path: string) => `${key} = ${JSON.stringify(resolve(base, path))}`,
        )
        .replace(
          /=\s*"(\.\.?\/[^"]+)"/,
          (_, path: string) => `= ${JSON.stringify(resolve(base, path))}`,
        ),
    );
  }
  return kept.join("\n");
}

/**
 * The config a worker runs from in the benchmark: `source` with `main` the
 * bundle built by buildBundle, run as it is (`no_bundle`), and its Static
 * Assets from the bench's own copy of public/ (config.assets).
 *
 * A prebuilt bundle, because `wrangler dev` rebuilds and reloads a bundled
 * worker whenever a source file changes, watch or not: in a checkout others
 * edit while a run lasts, that reloaded the worker mid-run (and answered 500
 * while it did). It is also what deploys: minified, without the middleware
 * `wrangler dev` adds to the bundles it makes. Both sides run this way.
 * Assets stay: `wrangler dev` routes every request through an asset router
 * first, and both sides serve the same copy, so both pay it alike. `leaveOut`
 * names more tables to drop (`[[queues.consumers]]`).
 */
export function writeRunConfig(
  source: string,
  bundle: string,
  out: string,
  leaveOut: string[] = [],
): string {
  const text = rewrite(source, new Set([...LEFT_OUT, ...leaveOut]), (line) =>
    line
      .replace(/^main\s*=.*$/, `main = ${JSON.stringify(bundle)}\nno_bundle = true`)
      .replace(/^directory\s*=\s*"[^"]+"/, `directory = ${JSON.stringify(config.assets)}`),
  );
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
  return out;
}
