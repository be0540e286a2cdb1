/**
 * A webhook receiver to start from: Node 20's own HTTP server, no framework.
 * It checks both signatures of every POST (examples/webhook-verify.ts),
 * answers 400 to what is not a delivery and 401 to a wrong signature or an
 * old timestamp, and prints one line per event.
 *
 *   WEBHOOK_SECRET=whsec_... npm run webhooks:receive     # PORT=3000 by default
 *
 * WEBHOOK_SECRET is the endpoint's `secretKey`, shown once when it was
 * created, or the one `npm run webhooks:listen` prints. Any path works: point
 * the endpoint (or `--forward-to`) at http://127.0.0.1:3000/hooks.
 */
import { createServer, type IncomingMessage } from "node:http";
import { verifyDelivery } from "./webhook-verify";

const secret = process.env.WEBHOOK_SECRET ?? "";
const port = Number(process.env.PORT ?? 3000);
if (!secret.startsWith("whsec_")) {
  console.error(
    "Set WEBHOOK_SECRET to the endpoint's secretKey (whsec_..., shown when it was created).",
  );
  process.exit(1);
}

/** Far above any delivery: a larger body is not one, and is not read further. */
const MAX_BODY_BYTES = 1024 * 1024;

/** What every delivery carries (docs/webhooks.md, "The payload"). */
type Delivery = {
  id: string;
  event: string;
  data: { id?: string; endpointId?: string } | null;
  previousAttributes?: Record<string, unknown> | null;
};

async function readBody(req: IncomingMessage): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Deliveries are at least once: a repeat carries the same event ID. A real
 * receiver keeps the IDs it handled in its database; this one remembers them
 * while it runs.
 */
const seen = new Set<string>();

function describe(delivery: Delivery): string {
  const object = delivery.data?.id ?? delivery.data?.endpointId ?? "-";
  const repeat = seen.has(delivery.id) ? "  (repeat: already handled)" : "";
  seen.add(delivery.id);
  const previous = delivery.previousAttributes
    ? `  previousAttributes ${JSON.stringify(delivery.previousAttributes)}`
    : "";
  return `${new Date().toISOString()}  ${delivery.event.padEnd(27)} ${delivery.id}  ${object}${previous}${repeat}`;
}

const server = createServer(async (req, res) => {
  const answer = (status: number, text: string) =>
    res.writeHead(status, { "content-type": "text/plain" }).end(`${text}\n`);
  if (req.method !== "POST") return answer(405, "deliveries are POSTs");
  const body = await readBody(req);
  if (body === null) return answer(413, "not a delivery: too large");

  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(", ") : value;
  };
  const verdict = await verifyDelivery(secret, body, header);
  if (!verdict.ok) {
    console.error(`rejected (${verdict.status}): ${verdict.reason}`);
    return answer(verdict.status, verdict.reason);
  }
  // Answer quickly (the sender waits 10 s at most); slow work goes after.
  answer(200, "ok");
  console.log(describe(JSON.parse(new TextDecoder().decode(body)) as Delivery));
});

server.on("error", (err: NodeJS.ErrnoException) => {
  console.error(err.code === "EADDRINUSE" ? `port ${port} is in use: set PORT` : err.message);
  process.exit(1);
});
server.listen(port, () => {
  console.error(`Receiving webhooks on http://127.0.0.1:${port}/ (any path; Ctrl-C to stop)`);
});
