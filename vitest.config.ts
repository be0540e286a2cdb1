import { dirname, resolve } from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-pool-workers";
import { defineConfig } from "vitest/config";
import { unstable_readConfig } from "wrangler";

// Keep the test runtime offline: no metrics, no `Request.cf` download.
process.env.WRANGLER_SEND_METRICS = "false";
process.env.CLOUDFLARE_CF_FETCH_ENABLED = "false";
// Only wrangler's warnings: its "Using secrets defined in .dev.vars", once per test file, is noise.
process.env.WRANGLER_LOG ??= "warn";

const TEST_RATE_LIMIT = 5;
const TEST_AUTH_FAILURE_LIMIT = 5;

// The pool ignores wrangler.toml's [alias] (it drops zod's translations from
// the bundle): apply the same table here, so tests run the code that ships.
const wranglerConfig = unstable_readConfig({ config: "./wrangler.toml" });
const alias = Object.entries(wranglerConfig.alias ?? {}).map(([find, to]) => ({
  find,
  replacement: resolve(dirname(wranglerConfig.configPath ?? "."), to),
}));

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        // A small allowance, so rate-limit tests reach it in a few requests.
        // Other tests use `unlimited` keys (see test/helpers/http.ts client()).
        bindings: {
          TEST_MIGRATIONS: await readD1Migrations("./migrations"),
          TEST_HISTORY_MIGRATIONS: await readD1Migrations("./migrations-history"),
          RATE_LIMIT_LIMIT: String(TEST_RATE_LIMIT),
          RATE_LIMIT_PERIOD_SECONDS: "60",
          AUTH_FAILURE_LIMIT: String(TEST_AUTH_FAILURE_LIMIT),
          AUTH_FAILURE_PERIOD_SECONDS: "60",
          // The tests' own secret (base64 of 32 bytes), never a developer's .dev.vars one.
          ENCRYPTION_KEY: "dGVzdC1vbmx5LWtleS0wMTIzNDU2Nzg5YWJjZGVmMDE=",
          // Off, whatever a developer's .dev.vars says: tests that want it pass it per call.
          WEBHOOK_ALLOW_LOOPBACK: "",
          // Likewise: /__scheduled is an ordinary unknown path unless a test turns it on.
          DEV_RUN_CRONS: "",
          // wrangler.toml's own limits and vars, for the test that they agree.
          DEPLOYED_LIMITS: JSON.stringify({
            ratelimits: wranglerConfig.ratelimits,
            vars: wranglerConfig.vars,
            crons: wranglerConfig.triggers.crons,
          }),
          // Replays a fast-check failure inside workerd: FC_SEED=… FC_PATH=… npx vitest run <file>
          FC_SEED: process.env.FC_SEED ?? "",
          FC_PATH: process.env.FC_PATH ?? "",
          FC_RUNS: process.env.FC_RUNS ?? "",
        },
        ratelimits: {
          RATE_LIMITER: { namespace_id: "1001", simple: { limit: TEST_RATE_LIMIT, period: 60 } },
          AUTH_FAILURE_LIMITER: {
            namespace_id: "1002",
            simple: { limit: TEST_AUTH_FAILURE_LIMIT, period: 60 },
          },
        },
        // Extra databases for tests only: ones to apply migrations to from
        // scratch (or step by step), one left without tables to provoke a
        // real internal error.
        d1Databases: {
          DB_FRESH: "test-fresh",
          DB_UPGRADE: "test-upgrade",
          HISTORY_FRESH: "test-history-fresh",
          DB_EMPTY: "test-empty",
        },
      },
    }),
  ],
  resolve: { alias },
  test: {
    setupFiles: ["./test/setup.ts"],
    include: ["test/**/*.test.ts"],
    // Some tests build 100-plan groups through the API; CI machines are slow and shared.
    testTimeout: 60_000,
    // Info lines (one per request, background deliveries, cron jobs) are for
    // Workers Logs, not for test output; tests that expect one spy on it.
    onConsoleLog: (log) => !log.startsWith('{"level":"info",'),
  },
});
