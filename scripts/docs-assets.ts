/**
 * Copies Scalar's standalone build from node_modules into `public/`, the
 * Workers Static Assets directory (`[assets]` in wrangler.toml). The platform
 * serves it at /docs/scalar.js, so the 5 MB file never enters the worker
 * bundle and the docs page loads nothing from a CDN. `public/` is generated:
 * wrangler.toml's [build] command runs this before every `wrangler dev` and
 * `wrangler deploy` (npm run dev, the browser test, the bench, a deploy).
 */
import { copyFileSync, mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";

const ROOT = resolve(import.meta.dirname, "..");
const OUT = join(ROOT, "public/docs");

// The package's `exports` hide dist/browser: find it beside the main entry, dist/index.js.
const dist = dirname(createRequire(import.meta.url).resolve("@scalar/api-reference"));
mkdirSync(OUT, { recursive: true });
copyFileSync(join(dist, "browser/standalone.js"), join(OUT, "scalar.js"));
