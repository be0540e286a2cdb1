import { defineConfig } from "drizzle-kit";

// The history database (HISTORY_DB): events, deliveries and attempts.
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/history-schema.ts",
  out: "./migrations-history",
});
