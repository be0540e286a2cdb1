import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import app from "../src/app";
import { buildOpenApiDocument } from "../src/docs/openapi";

// The same document GET /openapi.json serves, without starting wrangler, for
// linters and client generators. The app imports nothing Workers-only at load time.
const { values } = parseArgs({
  options: {
    out: { type: "string", default: "openapi.json" },
    server: { type: "string", default: "http://localhost:8787" },
  },
  strict: true,
});

const toml = readFileSync(new URL("../wrangler.toml", import.meta.url), "utf8");
const errorDocsBase = toml.match(/^ERROR_DOCS_BASE_URL\s*=\s*"([^"]+)"/m)?.[1];
if (!errorDocsBase) throw new Error("ERROR_DOCS_BASE_URL not found in wrangler.toml");

const doc = buildOpenApiDocument(app, { serverUrl: values.server ?? "", errorDocsBase });
writeFileSync(values.out ?? "openapi.json", `${JSON.stringify(doc, null, 2)}\n`);
console.error(`wrote ${values.out} (${Object.keys(doc.paths ?? {}).length} paths)`);
