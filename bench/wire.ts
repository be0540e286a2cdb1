/**
 * `npx tsx bench/wire.ts <out>`, after `npm run bench` (it uses that run's
 * state): the service's answers to a fixed set of requests as raw HTTP bytes,
 * written to <out>, for diffing the wire before and after a change that must
 * not alter it. Builds the current sources and runs them as the benchmark
 * does (inspector off), on port 8796. Every request names its x-request-id;
 * what no code change can keep equal is masked: `Date`, the D1 bookmark, a
 * minted request id, times (a write's `updatedAt`), a cursor (it carries the
 * bookmark), and how a chunked body was cut. Reads come
 * first; each write is undone by the next (reorder back, add then remove),
 * so a second run sees the same data.
 */
import { writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join, resolve } from "node:path";
import { BENCH_DIR, config } from "./lib/config";
import type { Seeded } from "./lib/seed";
import { installCleanup, startDev } from "./lib/servers";
import { buildBundle, writeRunConfig } from "./lib/worker-config";

const PORT = 8796;

type Wire = { method: string; path: string; headers?: Record<string, string>; body?: unknown };

function requests(key: string, s: Seeded & { endpointId: string }): Wire[] {
  const auth = { "x-api-key": key, "Commet-Version": "2026-07-31" };
  const json = { ...auth, "content-type": "application/json" };
  const group = `/api/v1/plan-groups/${s.groupId}`;
  const free = s.freePlanIds[0];
  return [
    { method: "GET", path: "/health" },
    { method: "GET", path: group, headers: auth },
    { method: "GET", path: "/api/v1/plan-groups?limit=3", headers: auth },
    { method: "GET", path: "/api/v1/plans?limit=3", headers: auth },
    { method: "GET", path: `/api/v1/plans/${s.memberIds[0]}`, headers: auth },
    { method: "GET", path: `/api/v1/webhooks/${s.endpointId}/deliveries?limit=3`, headers: auth },
    // Updates (with what they changed): none of this script's writes makes one.
    { method: "GET", path: "/api/v1/events?type=plan.updated&limit=3", headers: auth },
    { method: "GET", path: group, headers: { ...auth, "x-d1-bookmark": "not-a-bookmark" } },
    { method: "GET", path: group, headers: { "Commet-Version": "2026-07-11", "x-api-key": key } },
    { method: "GET", path: "/api/v1/plan-groups/pgrp_missing", headers: auth },
    { method: "GET", path: "/api/v1/plans?limit=0", headers: auth },
    { method: "GET", path: "/api/v1/plans?cursor=bogus", headers: auth },
    { method: "GET", path: group },
    { method: "GET", path: group, headers: { "x-api-key": "ck_test_nope" } },
    { method: "GET", path: group, headers: { ...auth, "Commet-Version": "1999-01-01" } },
    { method: "GET", path: "/api/v1/nothing-here", headers: auth },
    { method: "PATCH", path: group, headers: auth },
    { method: "DELETE", path: "/api/v1/plans", headers: auth },
    {
      method: "POST",
      path: `${group}/plans`,
      headers: { ...auth, "content-type": "text/plain" },
      body: "x",
    },
    { method: "POST", path: `${group}/plans`, headers: json, body: "{not json" },
    { method: "POST", path: `${group}/plans`, headers: json, body: { planId: 7 } },
    { method: "PUT", path: `${group}/plans/reorder`, headers: json, body: { planIds: [] } },
    {
      method: "PUT",
      path: `${group}/plans/reorder`,
      headers: { ...json, "Idempotency-Key": "\u0001" },
      body: {},
    },
    {
      method: "PUT",
      path: `${group}/plans/reorder`,
      headers: json,
      body: { planIds: [...s.memberIds].reverse() },
    },
    {
      method: "PUT",
      path: `${group}/plans/reorder`,
      headers: json,
      body: { planIds: s.memberIds },
    },
    { method: "POST", path: `${group}/plans`, headers: json, body: { planId: free } },
    { method: "DELETE", path: `${group}/plans/${free}`, headers: auth },
    { method: "GET", path: "/docs" },
    { method: "GET", path: "/errors" },
    { method: "GET", path: "/openapi.json" },
  ];
}

/** One request on its own connection; the raw answer, head and body. */
function exchange(wire: Wire, id: string): Promise<string> {
  const body =
    wire.body === undefined
      ? ""
      : typeof wire.body === "string"
        ? wire.body
        : JSON.stringify(wire.body);
  const headers = {
    host: `127.0.0.1:${PORT}`,
    "x-request-id": id,
    ...(body === "" ? {} : { "content-length": String(Buffer.byteLength(body)) }),
    connection: "close",
    ...wire.headers,
  };
  const head = [
    `${wire.method} ${wire.path} HTTP/1.1`,
    ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
  ];
  return new Promise((done, fail) => {
    const socket = connect(PORT, "127.0.0.1", () =>
      socket.end(`${head.join("\r\n")}\r\n\r\n${body}`),
    );
    const chunks: Buffer[] = [];
    socket.on("data", (d: Buffer) => chunks.push(d));
    socket.on("error", fail);
    socket.on("close", () => done(Buffer.concat(chunks).toString("utf8")));
  });
}

/** A chunked body as one piece: chunk sizes vary from run to run, the bytes do not. */
function dechunk(raw: string): string {
  const split = raw.indexOf("\r\n\r\n");
  if (split < 0 || !/^transfer-encoding: chunked$/im.test(raw.slice(0, split))) return raw;
  let rest = raw.slice(split + 4);
  let body = "";
  for (;;) {
    const eol = rest.indexOf("\r\n");
    const size = Number.parseInt(rest.slice(0, eol), 16);
    if (!(size > 0)) break;
    body += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
  return `${raw.slice(0, split)}\r\n\r\n<chunked>${body}`;
}

const mask = (raw: string) =>
  dechunk(raw)
    .replace(/^date: .*$/gim, "date: <masked>")
    .replace(/^(x-d1-bookmark): .*$/gim, "$1: <masked>")
    .replace(/req_[0-9a-f]{32}/g, "req_<masked>")
    .replace(/"nextCursor":"[^"]*"/g, '"nextCursor":"<masked>"')
    .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z/g, "<iso time>")
    .replace(/\b\d{13}\b/g, "<time>");

async function main() {
  const out = process.argv[2];
  if (!out) throw new Error("usage: tsx bench/wire.ts <out file>");
  installCleanup();
  const seeded = JSON.parse((await import("node:fs")).readFileSync(config.seeded, "utf8")) as {
    key: string;
    service: Seeded & { endpointId: string };
  };
  const dir = resolve(BENCH_DIR, ".state/wire");
  const bundle = await buildBundle(config.service.config, join(dir, "bundle"), "wire-bundle");
  const devConfig = writeRunConfig(config.service.config, bundle, join(dir, "wrangler.toml"));
  const server = await startDev(
    { ...config.service, port: PORT, devConfig },
    "/health",
    "wire.log",
    false,
  );
  try {
    const transcript: string[] = [];
    for (const [i, wire] of requests(seeded.key, seeded.service).entries()) {
      const id = `wire-${i}`;
      transcript.push(`>>> ${wire.method} ${wire.path}\n${mask(await exchange(wire, id))}`);
    }
    writeFileSync(out, `${transcript.join("\n\n")}\n`);
    console.error(`wire: wrote ${out}`);
  } finally {
    await server.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? (err.stack ?? err.message) : err);
  process.exit(1);
});
