import type { Db } from "./db/database";
import type { KeyedRequest } from "./idempotency/records";
import type { KeyTier } from "./lib/api-keys";
import type { Tenant } from "./tenant";
import type { ApiVersion } from "./versions/ids";
import type { DeliveryMessage } from "./webhooks/queue";

export type { Mode, Tenant } from "./tenant";

export type Auth = {
  keyId: string;
  orgId: string;
  livemode: boolean;
  tier: KeyTier;
  /** When the key stops working (epoch ms), or null. */
  expiresAt: number | null;
  /**
   * An operator key (made by the CLI) manages every key of its organization
   * and mode; any other only itself and the keys it made, directly or through them.
   */
  managesAll: boolean;
};

export type Bindings = {
  DB: D1Database;
  /** Webhook history: events past their hand-off, deliveries, attempts (src/history/). */
  HISTORY_DB: D1Database;
  API_KEYS: KVNamespace;
  /** Webhook deliveries: produced after responses and by the cron sweep, consumed by this worker. */
  WEBHOOK_QUEUE: Queue<DeliveryMessage>;
  /** Base64 of 32 bytes, the current key: encrypts webhook signing secrets and stored secret-bearing responses. */
  ENCRYPTION_KEY?: string;
  /** Comma-separated base64 keys that only decrypt: the previous keys while a rotation re-encrypts (src/lib/key-ring.ts). */
  ENCRYPTION_KEYS_PREVIOUS?: string;
  /** Base of every error's `doc_url`; empty: the request's own origin + `/errors`. */
  ERROR_DOCS_BASE_URL?: string;
  /** "off" silences the per-request log line (the benchmark does). */
  REQUEST_LOGS?: string;
  /**
   * "true" lets test-mode webhooks reach loopback receivers (127.0.0.0/8, ::1,
   * localhost). `npm run dev` sets it in `.dev.vars`; never in wrangler.toml.
   */
  WEBHOOK_ALLOW_LOOPBACK?: string;
  /**
   * "true" lets `/__scheduled` run cron jobs on request (src/dev-crons.ts).
   * `npm run dev` sets it in `.dev.vars`; never in wrangler.toml.
   */
  DEV_RUN_CRONS?: string;
  /** The DNS over HTTPS (JSON) service that resolves webhook hosts; empty: Cloudflare's. */
  WEBHOOK_DOH_URL?: string;
  RATE_LIMITER: RateLimit;
  /** The `standard` tier's allowance; must match the RATE_LIMITER binding. */
  RATE_LIMIT_LIMIT: string;
  RATE_LIMIT_PERIOD_SECONDS: string;
  /** Failed authentications per client address; must match the AUTH_FAILURE_LIMITER binding. */
  AUTH_FAILURE_LIMITER: RateLimit;
  AUTH_FAILURE_LIMIT: string;
  AUTH_FAILURE_PERIOD_SECONDS: string;
};

type Variables = {
  requestId: string;
  /** The API version shaping this request's answers (src/versions). */
  version: ApiVersion;
  auth: Auth;
  tenant: Tenant;
  db: Db;
  /** The D1 session's bookmark so far: the state this request has read (null before any query). */
  bookmark: () => string | null;
  /** Set for a POST, PUT or PATCH sent with an Idempotency-Key (src/idempotency). */
  idempotency?: KeyedRequest;
};

export type AppEnv = { Bindings: Bindings; Variables: Variables };
