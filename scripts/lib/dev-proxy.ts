import { createServer, request, type Server } from "node:http";
import { createServer as createNetServer } from "node:net";

/**
 * wrangler's way to run cron jobs by hand, which its start-up warning
 * offers. Under Static Assets, wrangler 4.86 (the last for Node 20) hands it
 * to the assets router, which has no scheduled handler: 500 "exception",
 * with no worker code run (fixed in later wranglers, which need Node 22).
 */
const WRANGLER_SCHEDULED = "/cdn-cgi/handler/scheduled";
/** Where the worker itself runs them under `npm run dev` (src/dev-crons.ts). */
const WORKER_SCHEDULED = "/__scheduled";

/** `/cdn-cgi/handler/scheduled[?query]` as the worker's own path; any other path as is. */
export function devPath(path: string): string {
  const query = path.indexOf("?");
  const pathname = query < 0 ? path : path.slice(0, query);
  return pathname === WRANGLER_SCHEDULED
    ? WORKER_SCHEDULED + (query < 0 ? "" : path.slice(query))
    : path;
}

/** A port nothing listens on now, on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createNetServer()
      .once("error", reject)
      .listen(0, "127.0.0.1", () => {
        const address = probe.address();
        probe.close(() =>
          typeof address === "object" && address ? resolve(address.port) : reject(),
        );
      });
  });
}

/**
 * The dev server's front door: passes every request to wrangler on
 * `target` unchanged (its Host header included, so the worker sees the
 * address the client used) but for `devPath`'s one rewrite, and streams the
 * answer back. The API has no WebSockets, so upgrades are not passed on.
 */
export function startDevProxy(host: string, port: number, target: number): Promise<Server> {
  const server = createServer((req, res) => {
    const upstream = request(
      {
        host: "127.0.0.1",
        port: target,
        method: req.method,
        path: devPath(req.url ?? "/"),
        headers: req.headers,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.rawHeaders);
        answer.pipe(res);
      },
    );
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502, { "content-type": "text/plain" });
      res.end("the dev server is not ready (yet): see npm run dev's output\n");
    });
    req.pipe(upstream);
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject).listen(port, host, () => resolve(server));
  });
}

/**
 * `npm run dev`'s arguments as wrangler gets them: on a loopback port of its
 * own (`inner`), the proxy taking `--port` and `--ip` in its place.
 */
export function wranglerArgs(args: readonly string[], inner: number): string[] {
  const rest = args.filter(
    (arg, i) =>
      !["--port", "--ip"].includes(arg) &&
      !["--port", "--ip"].includes(args[i - 1] ?? "") &&
      !/^--(port|ip)=/.test(arg),
  );
  return [...rest, "--ip", "127.0.0.1", "--port", String(inner)];
}

/** The address the proxy listens on: `--ip`, else loopback (wrangler's own default). */
export function devHost(args: readonly string[]): string {
  let host = "127.0.0.1";
  for (const [i, arg] of args.entries()) {
    if (arg === "--ip") host = args[i + 1] ?? host;
    else if (arg.startsWith("--ip=")) host = arg.slice("--ip=".length);
  }
  return host;
}
