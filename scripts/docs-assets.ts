/**
 * Copies Scalar's standalone build from node_modules into `public/`, the
 * Workers Static Assets directory (`[assets]` in wrangler.toml), with the
 * small script that mounts it (src/docs/docs-page.ts). The platform serves
 * them at /docs/scalar.js and /docs/load.js, so the 3.5 MB file never enters
 * the worker bundle and the docs page loads nothing from a CDN. `public/` is
 * generated: wrangler.toml's [build] command runs this before every
 * `wrangler dev` and `wrangler deploy` (npm run dev, the browser test, the
 * bench, a deploy).
 */
import { copyFileSync, mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { LOADER, LOADER_SCRIPT, SCALAR_SCRIPT } from "../src/docs/docs-page";

const ROOT = resolve(import.meta.dirname, "..");
const PUBLIC = join(ROOT, "public");

// The package's `exports` hide dist/browser: find it beside the main entry, dist/index.js.
const dist = dirname(createRequire(import.meta.url).resolve("@scalar/api-reference"));
mkdirSync(join(PUBLIC, "docs"), { recursive: true });
copyFileSync(join(dist, "browser/standalone.js"), join(PUBLIC, SCALAR_SCRIPT));
writeFileSync(join(PUBLIC, LOADER_SCRIPT), LOADER);
