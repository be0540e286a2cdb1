import { ApiError } from "../errors";
import { storesOf } from "../history/stores";
import { defineOperation } from "../operation/define";
import { findEvent } from "./queries";
import { eventRecordOf } from "./record";
import { EventIdParam } from "./schemas";

export default defineOperation({
  route: {
    method: "get",
    path: "/api/v1/events/{id}",
    operationId: "get-event",
    summary: "Get an event",
    description:
      "One change of the last 30 days, with `data` in this request's API version, and the request that made it.",
    tags: ["Events"],
    request: { params: EventIdParam },
  },
  answer: { one: "event" },
  status: 200,
  description: "The event.",
  errors: ["event_not_found"],
  handler: async (c) => {
    const { id } = c.req.valid("param");
    const event = await findEvent(storesOf(c.env, c.var.db), c.var.tenant, id, Date.now());
    if (!event) throw new ApiError("event_not_found", { param: "id" });
    return eventRecordOf(event, c.var.version);
  },
});
