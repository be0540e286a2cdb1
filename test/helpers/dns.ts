import type { Lookup, Resolver } from "../../src/webhooks/resolve";

/**
 * DNS the tests control: test/setup.ts installs `fakeResolver` for every
 * file, so no lookup of a webhook host ever reaches the network. Names under
 * `.receiver.test` (the receivers of ./webhooks.ts) resolve to a public
 * address; any other name has no address unless a test says otherwise, so
 * an endpoint at a real-looking name is accepted and then never POSTed to.
 */

/** What every `.receiver.test` name resolves to. */
export const RECEIVER_ADDRESS = "104.16.0.1";

const answers = new Map<string, Lookup>();

/** From now on, `name` resolves to `addresses` ([] for none), or its lookup fails. */
export function answerDns(name: string, answer: string[] | "fail") {
  answers.set(
    name.toLowerCase(),
    answer === "fail"
      ? { status: "failed" }
      : answer.length
        ? { status: "found", addresses: answer }
        : { status: "none" },
  );
}

export const fakeResolver: Resolver = async (host) => {
  const name = host.toLowerCase().replace(/\.$/, "");
  const answer = answers.get(name);
  if (answer) return answer;
  if (name.endsWith(".receiver.test")) return { status: "found", addresses: [RECEIVER_ADDRESS] };
  return { status: "none" };
};
