/**
 * Tests never reach the network. test/setup.ts puts `guardedFetch` in place
 * of the isolate's `fetch` for every file: a request to a host that an
 * in-process handler claims (the receivers of ./webhooks.ts, under
 * `.receiver.test`) goes to that handler; any other is refused as an
 * unreachable host would be, and the test during which it was made fails
 * (test/setup.ts). Bindings (`SELF`, `env.ASSETS`, D1, KV, queues) never go
 * through the global `fetch`.
 */

type Fetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

const handlers = new Map<string, Fetch>();
const refused: string[] = [];

/** From now on, requests to hosts ending in `suffix` are answered by `handler`. */
export function handleHosts(suffix: string, handler: Fetch) {
  handlers.set(suffix, handler);
}

export const guardedFetch: Fetch = async (input, init) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  for (const [suffix, handler] of handlers) {
    if (url.hostname.endsWith(suffix)) return handler(input, init);
  }
  const method = init?.method ?? (input instanceof Request ? input.method : "GET");
  const what = `${method} ${url.origin}${url.pathname}`;
  refused.push(what);
  throw new TypeError(
    `${what} was refused: tests are offline (use a receiver of test/helpers/webhooks.ts, or a .invalid host name, which never resolves)`,
  );
};

/** The requests refused since the last call. */
export function takeRefused(): string[] {
  return refused.splice(0);
}
