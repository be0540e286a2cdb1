import { UsageError } from "../../scripts/lib/args";

/** The message of the UsageError `fn` throws; any other outcome fails the test. */
export const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (err) {
    if (err instanceof UsageError) return err.message;
    throw err;
  }
  throw new Error("expected a UsageError");
};
