import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildOpenApiDocument } from "../src/docs/openapi";
import { VERSIONS } from "../src/versions";
import { runCommand } from "./lib/cli";
import { openApiExportUsage, parseOpenApiExport } from "./lib/commands";

// The documents the worker serves at /openapi/{version}.json, without starting
// wrangler, for linters and client generators: one file per API version.
await runCommand(openApiExportUsage, parseOpenApiExport, async ({ dir, server }) => {
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
});
