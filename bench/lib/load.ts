import autocannon from "autocannon";
import { config } from "./config";

export type Request = autocannon.Request;

/**
 * What one side of a pair sends. `perConnection` gives each connection its own
 * request cycle (add+remove needs a plan of its own per connection, or the
 * connections would collide on one plan and measure 409s).
 */
export type Load = {
  url: string;
  requests: Request[];
  perConnection?: (connection: number) => Request[];
  /** The serving processes' CPU time so far, sampled around the measured run. */
  cpuMs?: () => number | null;
};

export type Measurement = {
  /** Successful (2xx) responses per second. */
  rps: number;
  p50: number;
  p99: number;
  total: number;
  non2xx: number;
  /** Count per non-2xx status, to tell a 409 from a 500 at a glance. */
  statuses: Record<string, number>;
  errors: number;
  /** Server CPU time per response (all its processes), or null if unknown. */
  cpuPerRequestMs: number | null;
};

function fire(load: Load, seconds: number): Promise<autocannon.Result> {
  let connection = 0;
  const perConnection = load.perConnection;
  return autocannon({
    url: load.url,
    connections: config.connections,
    duration: seconds,
    requests: load.requests,
    ...(perConnection
      ? {
          setupClient: (client: autocannon.Client) =>
            client.setRequests(perConnection(connection++)),
        }
      : {}),
  });
}

/** A discarded warm-up, then the measured run; `reset` runs after each. */
export async function measure(load: Load, reset?: () => Promise<void>): Promise<Measurement> {
  if (config.warmup > 0) await fire(load, config.warmup);
  await reset?.();
  const cpuBefore = load.cpuMs?.() ?? null;
  const result = await fire(load, config.duration);
  const cpuAfter = load.cpuMs?.() ?? null;
  await reset?.();
  const cpu = cpuBefore === null || cpuAfter === null ? null : cpuAfter - cpuBefore;
  return {
    rps: result["2xx"] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    total: result.requests.total,
    non2xx: result.non2xx,
    statuses: Object.fromEntries(
      Object.entries(result.statusCodeStats ?? {})
        .filter(([status]) => !status.startsWith("2"))
        .map(([status, stat]) => [status, stat.count ?? 0]),
    ),
    errors: result.errors + result.timeouts,
    cpuPerRequestMs:
      cpu === null || result.requests.total === 0 ? null : cpu / result.requests.total,
  };
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};
