import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";

// Keep the test runtime offline: no metrics, no `Request.cf` download.
process.env.WRANGLER_SEND_METRICS = "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations("./migrations"),
          // Replays a fast-check failure inside workerd: FC_SEED=… FC_PATH=… npx vitest run <file>
          FC_SEED: process.env.FC_SEED ?? "",
          FC_PATH: process.env.FC_PATH ?? "",
          FC_RUNS: process.env.FC_RUNS ?? "",
        },
      },
    }),
  ],
  test: {
    setupFiles: ["./test/setup.ts"],
    include: ["test/**/*.test.ts"],
    // One log line per request is for Workers Logs, not for test output.
    onConsoleLog: (log) => !log.startsWith('{"level":"info","message":"request"'),
  },
});
