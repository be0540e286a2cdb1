import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildOpenApiDocument } from "../src/docs/openapi";
import { VERSIONS } from "../src/versions";

// The documents the worker serves at /openapi/{version}.json, without starting
// wrangler, for linters and client generators: one file per API version.
const { values } = parseArgs({
  options: {
    dir: { type: "string", default: "openapi" },
    server: { type: "string", default: "http://localhost:8787" },
  },
  strict: true,
});
const dir = values.dir ?? "openapi";
const server = values.server ?? "http://localhost:8787";

mkdirSync(dir, { recursive: true });
for (const version of Object.values(VERSIONS)) {
  const doc = buildOpenApiDocument(version, {
    serverUrl: server,
    errorDocsBase: `${server}/errors`,
  });
  const file = join(dir, `${version.id}.json`);
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  console.error(`wrote ${file} (${Object.keys(doc.paths ?? {}).length} paths)`);
}
