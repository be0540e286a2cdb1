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
        bindings: { TEST_MIGRATIONS: await readD1Migrations("./migrations") },
        // Extra databases for tests only: one to apply migrations to from
        // scratch, one left without tables to provoke a real internal error.
        d1Databases: { DB_FRESH: "test-fresh", DB_EMPTY: "test-empty" },
      },
    }),
  ],
  test: {
    setupFiles: ["./test/setup.ts"],
    include: ["test/**/*.test.ts"],
    // Some tests build 100-plan groups through the API; CI machines are slow and shared.
    testTimeout: 60_000,
  },
});
