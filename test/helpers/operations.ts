/** The 14 operations of ../shared/API.md, by operationId: the contract SDKs rely on. */
export const API_OPERATIONS = [
  "create-plan-group",
  "get-plan-group",
  "list-plan-groups",
  "update-plan-group",
  "delete-plan-group",
  "add-plan-to-group",
  "remove-plan-from-group",
  "reorder-plans-in-group",
  "create-plan",
  "list-plans",
  "get-plan",
  "update-plan",
  "set-plan-visibility",
  "delete-plan",
] as const;
