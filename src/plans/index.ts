import create from "./create";
import remove from "./delete";
import get from "./get";
import list from "./list";
import update from "./update";
import visibility from "./visibility";

export const planOperations = [create, list, get, update, visibility, remove];
