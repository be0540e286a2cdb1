import { newId } from "../lib/ids";
import {
  bind,
  eventIdParam,
  IDEMPOTENCY_KEY_PARAM,
  REQUEST_ID_PARAM,
  type Read,
  type Results,
  resultOf,
  type Statement,
  toDeliver,
  type Values,
  type Write,
} from "./statements";

export type Session = D1Database | D1DatabaseSession;

/** An outbox event a write recorded for delivery (some endpoint subscribes): sent after the response. */
export type RecordedEvent = { id: string; type: string };

/**
 * What a request's Idempotency-Key adds to its writes (src/idempotency/claim.ts):
 * `run` executes the write's statements in one batch together with the claim
 * and returns their own results, or throws when the key is already taken.
 */
export interface WriteClaim {
  run(
    session: Session,
    write: Write<Record<string, Statement>>,
    statements: D1PreparedStatement[],
    values: Values,
    options: WriteOptions,
  ): Promise<D1Result[]>;
}

export type WriteOptions = {
  /** The object a create makes: an Idempotency-Key retry rebuilds its answer from it. */
  resourceId?: string;
  /**
   * The answer, stored with the claim itself: for a create whose answer holds
   * a secret that cannot be rebuilt (already encrypted by the caller).
   */
  response?: { status: number; body: string };
};

/** The request a write runs for: its events name it (src/webhooks/outbox.ts). */
type RequestRef = { id: string; idempotencyKey: string | null };

type Options = {
  claim?: WriteClaim;
  onEvents?: (events: RecordedEvent[]) => void;
  request?: RequestRef;
};

/**
 * The only way the service talks to D1: defined reads and writes (see
 * statements.ts), one round trip each. A write is one batch, which D1 runs as
 * one transaction; a request's Idempotency-Key joins it, so no write can skip
 * the claim, and the events it recorded are handed on for delivery.
 */
export class Db {
  constructor(
    readonly session: Session,
    private readonly options: Options = {},
  ) {}

  get request(): RequestRef | undefined {
    return this.options.request;
  }

  /** The same session with a claim, an event sink or the request added. */
  with(options: Options): Db {
    return new Db(this.session, { ...this.options, ...options });
  }

  async read<Row>(query: Read<Row>, values: Values): Promise<Row[]> {
    const { results } = await bind(this.session, query.statement, values).all();
    return query.statement.decode(results);
  }

  async write<T extends Record<string, Statement>>(
    write: Write<T>,
    values: Values,
    options: WriteOptions = {},
  ): Promise<Results<T>> {
    const names = Object.keys(write.statements);
    const statements = names.map((name) => write.statements[name] as Statement);
    const all: Values = {
      ...values,
      [REQUEST_ID_PARAM]: this.options.request?.id ?? null,
      [IDEMPOTENCY_KEY_PARAM]: this.options.request?.idempotencyKey ?? null,
    };
    const events: (RecordedEvent & { name: string })[] = [];
    names.forEach((name, i) => {
      const statement = statements[i];
      if (statement?.kind !== "event") return;
      const id = newId("whev");
      all[eventIdParam(statement.type)] = id;
      events.push({ name, id, type: statement.type });
    });
    const bound = statements.map((s) => bind(this.session, s, all));
    const results = this.options.claim
      ? await this.options.claim.run(this.session, write, bound, all, options)
      : await this.session.batch(bound);
    const out: Record<string, unknown> = {};
    names.forEach((name, i) => {
      out[name] = resultOf(statements[i] as Statement, results[i] as D1Result);
    });
    const toSend = events
      .filter((e) => toDeliver(results[names.indexOf(e.name)] as D1Result))
      .map(({ id, type }) => ({ id, type }));
    if (toSend.length > 0) this.options.onEvents?.(toSend);
    return out as Results<T>;
  }
}
