import addPlan from "./add-plan";
import create from "./create";
import remove from "./delete";
import get from "./get";
import list from "./list";
import removePlan from "./remove-plan";
import reorder from "./reorder";
import { patch, put } from "./update";

// Reorder is listed before remove-plan's `/plans/{planId}` only for
// readability: they differ in method, so neither can shadow the other.
export const planGroupOperations = [
  create,
  list,
  get,
  put,
  patch,
  remove,
  addPlan,
  reorder,
  removePlan,
];
