import { storesOf } from "../history/stores";
import { paginate } from "../lib/cursor";
import { defineOperation } from "../operation/define";
import { EVENT_TYPES } from "../webhooks/events";
import { WEBHOOK_RETENTION_MS } from "../webhooks/purge";
import { listEvents } from "./queries";
import { eventRecordOf } from "./record";
import { ListEventsQuery } from "./schemas";

export default defineOperation({
  route: {
    method: "get",
    path: "/api/v1/events",
    operationId: "list-events",
    summary: "List events",
    description:
      "The changes of the last 30 days in this organization and mode, newest first, each as soon as the write that made it has answered. `data` is in this request's API version. Test sends (`POST /webhooks/{id}/test`) are not changes and are not listed.",
    tags: ["Events"],
    request: { query: ListEventsQuery },
  },
  answer: { list: "event" },
  status: 200,
  description: "A page of events.",
  errors: [],
  handler: async (c) => {
    const query = c.req.valid("query");
    const since = Date.now() - WEBHOOK_RETENTION_MS;
    const filter = {
      types: query.type ?? EVENT_TYPES,
      objectId: query.objectId ?? null,
      since: query.createdAfter === undefined ? since : Math.max(since, query.createdAfter + 1),
      until: query.createdBefore ?? null,
      deliveryFailed: query.deliveryFailed === undefined ? null : query.deliveryFailed === "true",
    };
    const stores = storesOf(c.env, c.var.db);
    const page = await paginate(c.var.tenant, "events", query, c.var.bookmark, (p) =>
      listEvents(stores, c.var.tenant, filter, p),
    );
    return { ...page, items: page.items.map((e) => eventRecordOf(e, c.var.version)) };
  },
});
