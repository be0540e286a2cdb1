import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

function clockTicks(): number {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
}

let ticksPerSecond: number | undefined;

/**
 * CPU time (user + system, in ms) used so far by every live process of a
 * process group: wrangler, its workerd runtimes, esbuild. Per request, it is
 * a cost that other load on a shared machine barely moves, unlike req/s.
 * Linux only (/proc); null elsewhere.
 */
export function groupCpuMs(pgid: number): number | null {
  let entries: string[];
  try {
    entries = readdirSync("/proc");
  } catch {
    return null;
  }
  ticksPerSecond ??= clockTicks();
  let ticks = 0;
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, "utf8");
    } catch {
      continue;
    }
    // Fields after the parenthesized command name, which may itself hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    if (Number(fields[2]) !== pgid) continue;
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return (ticks / ticksPerSecond) * 1000;
}
