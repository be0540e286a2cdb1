import { createRouter } from "../lib/create-app";
import * as addPlan from "./add-plan";
import * as create from "./create";
import * as remove from "./delete";
import * as get from "./get";
import * as list from "./list";
import * as removePlan from "./remove-plan";
import * as reorder from "./reorder";
import * as update from "./update";

// Reorder is registered before remove-plan's `/plans/{planId}` only for
// readability: they differ in method, so neither can shadow the other.
export const planGroupsRouter = createRouter()
  .openapi(create.route, create.handler)
  .openapi(list.route, list.handler)
  .openapi(get.route, get.handler)
  .openapi(update.putRoute, update.handler)
  .openapi(update.patchRoute, update.handler)
  .openapi(remove.route, remove.handler)
  .openapi(addPlan.route, addPlan.handler)
  .openapi(reorder.route, reorder.handler)
  .openapi(removePlan.route, removePlan.handler);
