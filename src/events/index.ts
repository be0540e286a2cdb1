import get from "./get";
import list from "./list";

export const eventOperations = [list, get];
