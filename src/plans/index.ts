import { createRouter } from "../lib/create-app";
import * as create from "./create";
import * as remove from "./delete";
import * as get from "./get";
import * as list from "./list";
import * as update from "./update";
import * as visibility from "./visibility";

export const plansRouter = createRouter()
  .openapi(create.route, create.handler)
  .openapi(list.route, list.handler)
  .openapi(get.route, get.handler)
  .openapi(update.route, update.handler)
  .openapi(visibility.route, visibility.handler)
  .openapi(remove.route, remove.handler);
