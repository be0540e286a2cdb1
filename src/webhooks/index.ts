import create from "./create";
import remove from "./delete";
import get from "./get";
import list from "./list";
import sendTest from "./test-send";
import { patch, put } from "./update";

export const webhookOperations = [list, create, get, patch, put, remove, sendTest];
