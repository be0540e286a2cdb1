/** The change events this service sends (API.md, Webhooks); `*` subscribes to all of them. */
export const EVENT_TYPES = [
  "plan_group.created",
  "plan_group.updated",
  "plan_group.deleted",
  "plan_group.plan_added",
  "plan_group.plan_removed",
  "plan_group.plans_reordered",
  "plan.created",
  "plan.updated",
  "plan.deleted",
] as const;

export type EventType = (typeof EVENT_TYPES)[number];

/** Sent only by `POST /webhooks/{id}/test`, never subscribed to. */
export const TEST_EVENT = "webhook.test";

/** Which object an event's `data` is: the plan group detail or the plan. */
export const objectOf = (type: string): "plan_group" | "plan" | "test" =>
  type.startsWith("plan_group.") ? "plan_group" : type.startsWith("plan.") ? "plan" : "test";
