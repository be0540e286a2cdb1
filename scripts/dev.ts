import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { storeNewKey } from "./lib/keys";
import { wrangler, wranglerEnv } from "./lib/wrangler";

// Everything here is local: D1 and KV live under .wrangler/state.
const DEMO_KEY_FILE = ".wrangler/demo-key";

await wrangler(["d1", "migrations", "apply", "DB", "--local"]);

// The demo key is kept across runs so a pasted curl line keeps working;
// writing its record again restores it if it was revoked.
const saved = existsSync(DEMO_KEY_FILE) ? readFileSync(DEMO_KEY_FILE, "utf8").trim() : undefined;
const { apiKey } = await storeNewKey(
  { orgId: "org_demo", mode: "test", name: "demo", tier: "standard", expiresInDays: null },
  false,
  saved,
);
mkdirSync(".wrangler", { recursive: true });
writeFileSync(DEMO_KEY_FILE, apiKey);

const args = process.argv.slice(2);
const portFlag = args.indexOf("--port");
const port = portFlag >= 0 ? args[portFlag + 1] : "8787";
console.log(`
Demo API key (org_demo, test mode): ${apiKey}

  curl -s http://localhost:${port}/api/v1/plan-groups -H 'x-api-key: ${apiKey}'
`);

const child = spawn("npx", ["wrangler", "dev", "--local", ...args], {
  env: wranglerEnv,
  stdio: "inherit",
});
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => child.kill(signal));
}
child.on("exit", (code) => process.exit(code ?? 0));
