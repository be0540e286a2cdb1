import { apiKeyOperations } from "./api-keys";
import { deliveryOperations } from "./deliveries";
import { eventOperations } from "./events";
import type { Operation } from "./operation/define";
import { planGroupOperations } from "./plan-groups";
import { planOperations } from "./plans";
import { webhookOperations } from "./webhooks";

/** Every API operation: mounted by the app, documented per version, tested by the shared suites. */
export const OPERATIONS: readonly Operation[] = [
  ...planGroupOperations,
  ...planOperations,
  ...apiKeyOperations,
  ...webhookOperations,
  ...deliveryOperations,
  ...eventOperations,
];
