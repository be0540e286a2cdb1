import pLimit from "p-limit";
import type { Bindings } from "../env";
import { claimAttempt, endDelivery, findDeliveryJob } from "../history/deliveries";
import { findOutboxEvent, handOff, markHandedOn, subscribedEndpoints } from "../history/hand-off";
import { type Stores, storesOf } from "../history/stores";
import { newId } from "../lib/ids";
import { logLine } from "../lib/log";
import { type AttemptInput, attemptDelivery } from "./attempt";
import { EVENT_TYPES, TEST_EVENT } from "./events";
import { activeTarget } from "./health-queries";
import { type DeliveryMessage, deliveryMessages, parseMessage, sendAll } from "./queue";
import {
  ATTEMPT_LEASE_MS,
  ATTEMPT_TIMEOUT_MS,
  retryDelaySeconds,
  slotWaitSeconds,
} from "./schedule";
import { recordMark } from "./sweep-queries";

/**
 * The platform lets an invocation wait on six connections at once; workerd
 * (wrangler dev, tests) does not enforce it, so we do. (What one endpoint
 * receives at once is bounded across invocations by the claim: see
 * ENDPOINT_MAX_IN_FLIGHT.)
 */
export const MAX_CONCURRENT_POSTS = 6;
/**
 * First attempts one invocation makes while fanning events out; the rest go
 * back to the queue as delivery messages. With the consumer's batches of 10,
 * an invocation makes about 300 subrequests (D1, KV, fetch) at most, far
 * inside the platform's 1,000.
 */
const INLINE_ATTEMPTS = 50;
/** After this, an invocation starts no more first attempts of its own (the queue takes them). */
const INLINE_BUDGET_MS = 30_000;
/** Queues' delays are not exact: a retry this early still counts as due. */
const EARLY_MS = 5_000;

export type DeliverOptions = {
  timeoutMs?: number;
  inlineAttempts?: number;
  budgetMs?: number;
};

const EVENT_TYPE_SET: ReadonlySet<string> = new Set(EVENT_TYPES);

/** An attempt before its claim: the endpoint's URL and secret are read once it is claimed. */
type PlannedAttempt = Omit<AttemptInput, "endpoint"> & { endpointId: string };

const logDropped = (orgId: string, deliveryId: string) =>
  logLine("info", "webhook delivery dropped: endpoint inactive or deleted, or event purged", {
    orgId,
    deliveryId,
  });

/** One consumer invocation: its database, its POST limiter and its budget of first attempts. */
class Invocation {
  readonly stores: Stores;
  private readonly limit = pLimit(MAX_CONCURRENT_POSTS);
  private readonly deadline: number;
  private inlineLeft: number;
  private readonly timeoutMs: number;

  constructor(
    readonly env: Bindings,
    options: DeliverOptions,
  ) {
    this.stores = storesOf(env);
    this.deadline = Date.now() + (options.budgetMs ?? INLINE_BUDGET_MS);
    this.inlineLeft = options.inlineAttempts ?? INLINE_ATTEMPTS;
    this.timeoutMs = options.timeoutMs ?? ATTEMPT_TIMEOUT_MS;
  }

  handle(message: DeliveryMessage): Promise<void> {
    if (message.kind === "event") return this.dispatch(message.eventId);
    if (message.kind === "delivery") return this.redeliver(message.deliveryId, message.waited ?? 0);
    return recordMark(this.stores.catalog, message.at, Date.now());
  }

  /**
   * Hands the event on to the history (its copy and its deliveries, once
   * however often its message comes), marks it dispatched, and makes the
   * deliveries' first attempts while this invocation's budget lasts; the
   * others are handed to the queue. A repeated message of an event already
   * dispatched creates no new delivery: the endpoints subscribed now are not
   * those of the time.
   */
  private async dispatch(eventId: string): Promise<void> {
    const { catalog, history } = this.stores;
    const event = await findOutboxEvent(catalog, eventId);
    if (!event) return; // purged long after its hand-off, or never committed
    // `webhook.test` and unknown types are never fanned out, nor is an event twice.
    const fanOut =
      EVENT_TYPE_SET.has(event.type) && event.dispatchedAt === null && event.fannedOutAt === null;
    const targets = fanOut ? await subscribedEndpoints(catalog, event) : [];
    const now = Date.now();
    const planned = targets.map((endpointId) => ({ id: newId("whdl", now), endpointId }));
    const rows = await handOff(history, event, planned, now);
    if (event.dispatchedAt === null) await markHandedOn(catalog, event, now);
    const tenant = { orgId: event.orgId, mode: event.mode };
    const handOn: string[] = [];
    const settled = await Promise.allSettled(
      rows
        .filter((row) => row.status === "pending" && row.attempts === 0)
        .map(async (row) => {
          const sent = await this.limit(async () => {
            if (!this.takeInline()) return false;
            await this.attempt(
              {
                tenant,
                deliveryId: row.id,
                attempt: 1,
                windowStart: row.createdAt,
                endpointId: row.endpointId,
                event,
              },
              0,
              0,
            );
            return true;
          });
          // Over this invocation's budget: the queue takes it.
          if (!sent) handOn.push(row.id);
        }),
    );
    if (handOn.length > 0) await sendAll(this.env.WEBHOOK_QUEUE, deliveryMessages(handOn));
    // Attempts that could not be recorded: the message comes again, and finds them claimed or not.
    const failed = settled.find((s) => s.status === "rejected");
    if (failed) throw failed.reason;
  }

  private takeInline(): boolean {
    if (this.inlineLeft <= 0 || Date.now() >= this.deadline) return false;
    this.inlineLeft -= 1;
    return true;
  }

  /**
   * The next attempt of a delivery, if it is pending and due; dropped if its
   * endpoint is gone or inactive. `waited`: times in a row it found no free slot.
   */
  private async redeliver(deliveryId: string, waited: number): Promise<void> {
    const { history } = this.stores;
    const job = await findDeliveryJob(history, deliveryId);
    if (job?.status !== "pending") return;
    const tenant = { orgId: job.orgId, mode: job.mode };
    if (!job.event) {
      await endDelivery(history, tenant, job.id, { status: "dropped", now: Date.now() });
      logDropped(job.orgId, job.id);
      return;
    }
    // Not due: a retry message of its own, or the sweep, brings it back at its time.
    if (job.nextAttemptAt === null || job.nextAttemptAt > Date.now() + EARLY_MS) return;
    if (job.event.type === TEST_EVENT && job.recorded < job.attempts) {
      // A test send whose worker died before it settled: it was asked for
      // then, not later, and is never retried (a retry asked for by hand,
      // with every attempt recorded, is attempted once below).
      await endDelivery(history, tenant, job.id, { status: "failed", now: Date.now() });
      logLine("warn", "webhook test send interrupted, ended failed", {
        orgId: job.orgId,
        deliveryId: job.id,
      });
      return;
    }
    const { event } = job;
    await this.limit(() =>
      this.attempt(
        {
          tenant,
          deliveryId: job.id,
          attempt: job.attempts + 1,
          windowStart: job.windowStart,
          endpointId: job.endpointId,
          event,
        },
        job.attempts,
        waited,
      ),
    );
  }

  /**
   * Claims attempt `attemptsSeen + 1` (nothing happens if another copy of a
   * message took it first), reads the endpoint as it is now (an attempt may
   * have waited behind the POST limiter, or for its retry, since the event
   * was handed on), makes the attempt and schedules the retry on the queue.
   * A delivery whose endpoint was deleted, deactivated or unsubscribed
   * meanwhile ends dropped, unsent. While the endpoint already has its most
   * POSTs in flight, the delivery is not attempted (nothing is counted) and
   * comes back in a few seconds.
   */
  private async attempt(
    planned: PlannedAttempt,
    attemptsSeen: number,
    waited: number,
  ): Promise<void> {
    const { catalog, history } = this.stores;
    const { endpointId, ...rest } = planned;
    const claim = await claimAttempt(history, planned.tenant, {
      deliveryId: planned.deliveryId,
      endpointId,
      attemptsSeen,
      leaseUntil: Date.now() + ATTEMPT_LEASE_MS,
    });
    if (claim === "busy") await this.sendLater(planned, slotWaitSeconds(waited), waited + 1);
    if (claim !== "claimed") return;
    const endpoint = await activeTarget(catalog, planned.tenant, endpointId, planned.event.type);
    if (!endpoint) {
      const end = { status: "dropped", now: Date.now(), claimed: true } as const;
      await endDelivery(history, planned.tenant, planned.deliveryId, end);
      logDropped(planned.tenant.orgId, planned.deliveryId);
      return;
    }
    const input: AttemptInput = { ...rest, endpoint };
    const result = await attemptDelivery(this.env, this.stores, input, {
      timeoutMs: this.timeoutMs,
      // A test send is sent once, never on a schedule.
      retries: input.event.type !== TEST_EVENT,
    });
    if (result.retryInSeconds !== null) await this.sendLater(input, result.retryInSeconds);
  }

  /** The delivery's next message; its time is in D1, so the sweep sends it should this fail. */
  private async sendLater(
    input: PlannedAttempt | AttemptInput,
    delaySeconds: number,
    waited?: number,
  ) {
    const deliveryId = input.deliveryId;
    try {
      await this.env.WEBHOOK_QUEUE.send(
        waited ? { kind: "delivery", deliveryId, waited } : { kind: "delivery", deliveryId },
        { delaySeconds },
      );
    } catch (err) {
      logLine("error", "webhook retry not enqueued (the sweep will)", ids(input), err);
    }
  }
}

const ids = (input: PlannedAttempt | AttemptInput) => ({
  orgId: input.tenant.orgId,
  deliveryId: input.deliveryId,
  eventId: input.event.id,
});

/**
 * The queue consumer. Every message of the batch is handled at once (POSTs
 * share one limiter); a message is acked once its work is recorded, and one
 * whose work failed (D1 unreachable) is retried with backoff. Should even
 * that be lost, nothing is: the sweep finds undispatched events and overdue
 * deliveries in D1.
 */
export async function deliverBatch(
  batch: MessageBatch<unknown>,
  env: Bindings,
  options: DeliverOptions = {},
): Promise<void> {
  const invocation = new Invocation(env, options);
  await Promise.all(
    batch.messages.map(async (message) => {
      const body = parseMessage(message.body);
      if (!body) {
        logLine("error", "webhook queue message not understood, dropped", {
          messageId: message.id,
        });
        message.ack();
        return;
      }
      try {
        await invocation.handle(body);
        message.ack();
      } catch (err) {
        logLine(
          "error",
          "webhook message failed, retried",
          { messageId: message.id, ...body },
          err,
        );
        message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
      }
    }),
  );
}
