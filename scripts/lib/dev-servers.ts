/**
 * Which `npm run dev` servers are running on this checkout: each writes
 * `.wrangler/dev-servers/<pid>.json` while it runs, so `npm run db:reset`
 * can refuse to wipe the state under one and a second `npm run dev` can say
 * who holds its port. A record whose process is gone (killed hard) is ignored.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { ROOT } from "./wrangler";

const DIR = join(ROOT, ".wrangler/dev-servers");

export type DevServer = { pid: number; port: number };

/** Records this process as a dev server on `port`; the returned function removes the record. */
export function recordDevServer(port: number): () => void {
  mkdirSync(DIR, { recursive: true });
  const file = join(DIR, `${process.pid}.json`);
  writeFileSync(file, JSON.stringify({ pid: process.pid, port } satisfies DevServer));
  return () => rmSync(file, { force: true });
}

export function runningDevServers(): DevServer[] {
  let names: string[];
  try {
    names = readdirSync(DIR);
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const file = join(DIR, name);
    try {
      const server = JSON.parse(readFileSync(file, "utf8")) as DevServer;
      if (alive(server.pid)) return [server];
    } catch {
      // Unreadable: treated as gone.
    }
    rmSync(file, { force: true });
    return [];
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * Whether something listens on `port`, on any address: listening on all of
 * them fails when any one is taken (wrangler dev takes 127.0.0.1).
 */
export function portInUse(port: number): Promise<boolean> {
  return new Promise((answer, fail) => {
    const probe = createServer();
    probe.once("error", (err: NodeJS.ErrnoException) =>
      err.code === "EADDRINUSE" ? answer(true) : fail(err),
    );
    probe.listen(port, () => probe.close(() => answer(false)));
  });
}
