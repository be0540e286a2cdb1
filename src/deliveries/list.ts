import { ApiError } from "../errors";
import { storesOf } from "../history/stores";
import { paginate } from "../lib/cursor";
import { defineOperation } from "../operation/define";
import { findEndpoint } from "../webhooks/queries";
import { EndpointIdParam } from "../webhooks/schemas";
import { LISTED_ATTEMPTS, listDeliveries } from "./queries";
import { ListDeliveriesQuery } from "./schemas";

export default defineOperation({
  route: {
    method: "get",
    path: "/api/v1/webhooks/{id}/deliveries",
    operationId: "list-webhook-deliveries",
    summary: "List an endpoint's deliveries",
    description: `The endpoint's deliveries of the last 30 days, newest first, each with its last ${LISTED_ATTEMPTS} attempts (oldest first). Filter by \`status\` or event \`type\`.`,
    tags: ["Webhooks"],
    request: { params: EndpointIdParam, query: ListDeliveriesQuery },
  },
  answer: { list: "webhookDeliveryLog" },
  status: 200,
  description: "A page of deliveries.",
  errors: ["webhook_not_found"],
  handler: (c) => {
    const { id } = c.req.valid("param");
    const query = c.req.valid("query");
    const { tenant } = c.var;
    const { catalog, history } = storesOf(c.env, c.var.db);
    const filter = { status: query.status ?? null, type: query.type ?? null };
    // The endpoint and the filters are the cursor's scope: a cursor of another list is refused.
    const scope = `webhook-deliveries:${id}:${filter.status ?? "*"}:${filter.type ?? "*"}`;
    return paginate(tenant, scope, query, c.var.bookmark, async (page) => {
      const [endpoint, rows] = await Promise.all([
        findEndpoint(catalog, tenant, id),
        listDeliveries(history, tenant, id, filter, page),
      ]);
      if (!endpoint) throw new ApiError("webhook_not_found", { param: "id" });
      return rows;
    });
  },
});
