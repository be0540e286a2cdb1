import get from "./get";
import list from "./list";
import recover from "./recover";
import retry from "./retry";

export const deliveryOperations = [list, get, retry, recover];
