import app from "./app";
import type { Bindings } from "./env";
import { scheduled } from "./scheduled";
import { deliverBatch } from "./webhooks/deliver";
import type { DeliveryMessage } from "./webhooks/queue";

export default {
  fetch: app.fetch,
  scheduled,
  // Webhook deliveries: fan-out, POSTs and retries (src/webhooks/deliver.ts).
  queue: (batch, env) => deliverBatch(batch, env),
} satisfies ExportedHandler<Bindings, DeliveryMessage>;
