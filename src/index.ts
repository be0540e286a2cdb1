import app from "./app";
import { devCrons } from "./dev-crons";
import type { Bindings } from "./env";
import { scheduled } from "./scheduled";
import { deliverBatch } from "./webhooks/deliver";
import type { DeliveryMessage } from "./webhooks/queue";

export default {
  // Under `npm run dev` only, /__scheduled runs cron jobs (src/dev-crons.ts).
  fetch: (request: Request, env: Bindings, ctx: ExecutionContext) =>
    devCrons(request, env) ?? app.fetch(request, env, ctx),
  scheduled,
  // Webhook deliveries: fan-out, POSTs and retries (src/webhooks/deliver.ts).
  queue: (batch, env) => deliverBatch(batch, env),
} satisfies ExportedHandler<Bindings, DeliveryMessage>;
