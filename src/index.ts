import app from "./app";
import type { Bindings } from "./env";
import { scheduled } from "./scheduled";
import type { DeliveryMessage } from "./webhooks/queue";

export default {
  fetch: app.fetch,
  scheduled,
  // Webhook delivery (src/webhooks/deliver.ts) comes with the webhooks resource.
  async queue(batch) {
    batch.ackAll();
  },
} satisfies ExportedHandler<Bindings, DeliveryMessage>;
