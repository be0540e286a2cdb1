/**
 * The worker `npm run storage:measure` (bench/storage/run.ts) starts on a
 * throwaway local state: each path runs one step on its two databases and
 * answers what it did as JSON; the script times the steps from outside.
 */
import { Db } from "../../src/db/database";
import type { Stores } from "../../src/history/stores";
import { purgeWebhookHistory } from "../../src/webhooks/purge";
import { bytesPerRow, fillHistory, writeHistory } from "./measure";
import { SAMPLES } from "./rows";

type Env = { DB: D1Database; HISTORY_DB: D1Database };

const stores = (env: Env): Stores => ({ catalog: new Db(env.DB), history: new Db(env.HISTORY_DB) });

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const url = new URL(request.url);
    const num = (name: string) => {
      const value = Number(url.searchParams.get(name));
      if (!Number.isFinite(value)) throw new Error(`${name} must be a number`);
      return value;
    };
    switch (url.pathname) {
      // The bytes per row of every table, one table after the other.
      case "/sizes": {
        const sizes = [];
        for (const sample of SAMPLES) {
          const db = sample.database === "catalog" ? env.DB : env.HISTORY_DB;
          sizes.push(await bytesPerRow(db, sample, num("rows")));
        }
        return Response.json(sizes);
      }
      // History written by the pipeline's own statements.
      case "/write": {
        const shape = { events: num("events"), deliveriesPerEvent: num("deliveries") };
        const options = { start: num("start"), concurrency: num("concurrency"), from: num("from") };
        return Response.json({ rows: await writeHistory(stores(env), shape, options) });
      }
      // History written in bulk.
      case "/fill": {
        const shape = { events: num("events"), deliveriesPerEvent: num("deliveries") };
        const rows = await fillHistory(env.HISTORY_DB, shape, {
          start: num("start"),
          from: num("from"),
        });
        return Response.json({ rows });
      }
      // One purge run as the cron makes it (chunks of 1,000), within `budget` ms.
      case "/purge":
        return Response.json(
          await purgeWebhookHistory(stores(env), num("now"), { budgetMs: num("budget") }),
        );
      case "/count": {
        const row = await env.HISTORY_DB.prepare(
          "SELECT (SELECT count(*) FROM events) + (SELECT count(*) FROM deliveries) + (SELECT count(*) FROM attempts) AS n",
        ).first<{ n: number }>();
        return Response.json({ rows: row?.n ?? 0 });
      }
      default:
        return new Response("not found", { status: 404 });
    }
  },
};
