import create from "./create";
import remove from "./delete";
import list from "./list";

export const apiKeyOperations = [list, create, remove];
