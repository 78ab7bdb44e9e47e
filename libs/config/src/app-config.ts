import { isIP } from 'node:net';
import { type LastDayRule } from '@inbox/deadlines';
import { isChannel } from '@inbox/integrations/contract';
import { type ChannelsFromEnv, channelsFromEnv } from './channel-settings';

/** Thrown once, at boot, with every problem in the environment listed. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n- ${problems.join('\n- ')}`);
    this.name = 'ConfigError';
  }
}

/** At most `limit` requests per `windowSeconds` from one address; null: no limit. */
export interface RateLimit {
  limit: number;
  windowSeconds: number;
}

/** The endpoints that are rate-limited per address (issue 14): the anonymous ones and the password checks. */
export type RateLimitName = 'form' | 'status' | 'faq' | 'webhook' | 'signIn';

/** How much longer than the server's statement timeout the client waits for its answer (pgQueryTimeoutMs). */
const QUERY_TIMEOUT_GRACE_MS = 10_000;

/**
 * ACCESS_CODE_KEY outside production: public, so it protects nothing; it keeps the api and the worker of a
 * development run agreeing on the hashes. Production refuses to start without its own.
 */
const DEVELOPMENT_ACCESS_CODE_KEY = 'development access code key: not for production';

const LAST_DAY_RULES: readonly LastDayRule[] = ['preceding-working-day', 'following-working-day', 'keep'];

/**
 * The whole configuration, read from the environment once. Defaults are inline so that a fresh clone runs
 * with no hand-made config; secrets are marked so they never reach a log line.
 */
export class AppConfig {
  readonly databaseUrl: string;
  /**
   * `parallel_setup_cost` of the api's database sessions (API_PG_PARALLEL_SETUP_COST; the server's default is
   * 1000): a staff page reads tens of rows by index, and launching a parallel worker for it cost more than the
   * page itself on a busy machine, so a parallel plan must save this much to be chosen.
   */
  readonly apiParallelSetupCost: number;
  /**
   * Whether the product's database sessions (api and worker pools) may JIT-compile statements (PG_JIT; off
   * unless set): every statement of theirs reads tens to hundreds of rows by index, but at 10 M appeals
   * inflated row estimates put some over `jit_above_cost` and 200+ ms of compiling was paid for a few ms of work.
   */
  readonly pgJit: boolean;
  /**
   * How long a session of ours may sit idle inside a transaction before Postgres ends it and lets go of its locks
   * (PG_IDLE_IN_TRANSACTION_TIMEOUT_MS; 0: never). A process frozen or cut off mid-transaction (a paused VM, a lost
   * network) held its row and advisory locks for as long as the server kept the connection: every other worker
   * waited on them.
   */
  readonly pgIdleInTransactionTimeoutMs: number;
  /**
   * The longest one statement of the api's and the worker's pools may run (PG_STATEMENT_TIMEOUT_MS, the server's
   * `statement_timeout`; 0: never). Their statements take milliseconds to seconds; one stuck behind a lock or on a
   * runaway plan is cancelled and its job retried, instead of holding a connection and its locks for good.
   */
  readonly pgStatementTimeoutMs: number;
  /**
   * How many connections each of the process's pools may open (PG_POOL_MAX, default 20). Every api and worker
   * process holds its own pool, so the processes together must stay under the server's `max_connections`.
   */
  readonly pgPoolMax: number;
  /**
   * How long the pools wait for the server's answer to one statement before they give up on the connection
   * (PG_QUERY_TIMEOUT_MS, pg's client-side `query_timeout`; 0: never; by default the statement timeout and 10 s
   * more, so that a server that is merely slow cancels the statement itself). A connection whose server stops
   * answering mid-statement (a half-open TCP connection: a frozen server, a dropped route, a stuck proxy) gets no
   * FIN and no RST, and the statement waited on it forever, its job with it. Given up, the connection is closed
   * (GuardedClient) and the job fails, to be retried on a fresh one.
   */
  readonly pgQueryTimeoutMs: number;
  /**
   * The same two bounds for long work that is legitimate (PG_LONG_STATEMENT_TIMEOUT_MS, default 30 minutes; 0:
   * never): reports and exports over years of appeals, the classifier's retraining reads (Transactions.runLong).
   * Migrations at boot run on a connection of their own with no bound at all.
   */
  readonly pgLongStatementTimeoutMs: number;
  /** The client's wait for long work's answers: the long statement timeout and the same grace (0: never). */
  readonly pgLongQueryTimeoutMs: number;
  /** Secret: may carry a password. */
  readonly redisUrl: string;
  readonly queuePrefix: string;
  readonly httpHost: string;
  readonly httpPort: number;
  readonly publicBaseUrl: string;
  readonly runMigrationsAtBoot: boolean;
  readonly attachmentMaxBytes: number;
  readonly attachmentMaxCount: number;
  /** A messenger's file not received after a job's retries (the channel down, or our side could not keep it) is
   * fetched again: first after this long, doubling each failed round, for this many rounds; then it is marked not
   * received. */
  readonly attachmentStoreRetryMs: number;
  readonly attachmentStoreRounds: number;
  readonly answerDays: number;
  /** How many days the rating link in an answer sent by e-mail works (RATING_LINK_DAYS). */
  readonly ratingLinkDays: number;
  readonly fastTrackDays: number;
  readonly lastDayRule: LastDayRule;
  readonly managementCentreCode: string;
  readonly workerConcurrency: number;
  /** How long a worker may hold a job before Bull treats it as stalled and hands it to another worker. */
  readonly queueLockMs: number;
  readonly jobAttempts: number;
  readonly pendingSweepMs: number;
  /** Classification passes: appeals per pass, passes at once per worker, and how often an idle worker looks
   * for pending appeals that another process registered. */
  readonly classifyBatch: number;
  readonly classifyPasses: number;
  readonly classifyPollMs: number;
  /** Whether a worker's registrations wake its classification passes at once (else the poll finds them). */
  readonly classifyOnRegistration: boolean;
  /** Appeals per incident-grouping pass (one grouping pass at a time per worker, after the classification). */
  readonly clusterBatch: number;
  /** A message whose every attempt failed on a temporary error is tried again by itself: first after this long,
   * doubling each round, for this many rounds; then it stays failed for staff to retry. */
  readonly deliveryRetryFailedMs: number;
  readonly deliveryRetryRounds: number;
  /** An inbound item whose every registration attempt failed (an outage) is tried again by itself: first after
   * this long, doubling each round, for this many rounds; then it stays failed. */
  readonly intakeRetryFailedMs: number;
  readonly intakeRetryRounds: number;
  /** The history outbox: how often each worker looks for due rows, the first back-off (doubling, at most 5
   * minutes), and when a (consumer, event) that keeps failing becomes a dead letter: after at least this many
   * attempts and this long since its first failure (a channel or our own database down for an hour is waited
   * out; a permanent error is a dead letter at once). */
  readonly eventHookPollMs: number;
  readonly eventHookAttempts: number;
  readonly eventHookRetryMs: number;
  readonly eventHookRetryForMs: number;
  /** A consumer's claimed batch is its own for this long (renewed every third of it while its hooks run); the
   * rows of a worker that died with them are taken over once it has run out. */
  readonly eventHookLeaseMs: number;
  /** How often the deadline clocks are swept for at-risk / overdue marks. */
  readonly clockWatchMs: number;
  /**
   * How far the database server's clock may run ahead of a worker's before the worker holds its clock sweep (marks
   * made early by a jumped database clock would stay and notify people); any skew past it is logged as an error.
   */
  readonly clockSkewMaxMs: number;
  /** How often each worker folds the appeal count deltas into the dashboard's daily counts. */
  readonly countsFoldMs: number;
  /** How often every process reads the channel accounts again (an administrator's change, without a restart). */
  readonly channelAccountsRefreshMs: number;
  /** Days a closed appeal keeps its personal data (five years under the archive rules unless configured), how
   * often the worker looks for appeals past it, and how many it erases per transaction. */
  readonly personalDataRetentionDays: number;
  readonly retentionSweepMs: number;
  /** Inbound items never registered (quarantined, or failed for good) and unreadable inputs keep the raw
   * payload, personal data and all, for staff to register by hand: this many days, then it is erased. */
  readonly quarantineRetentionDays: number;
  readonly retentionBatchSize: number;
  /** Lead before a due time when a clock counts as at risk, per clock. */
  readonly atRiskAnswerHours: number;
  readonly atRiskLine2Minutes: number;
  readonly atRiskEscalationMinutes: number;
  /** Channels whose appeals get the 15-minute line-1 escalation clock (S1). */
  readonly escalationClockChannels: readonly string[];
  readonly logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Bull's per-channel rate limiter on messenger delivery queues (Telegram, VK, OK published limits). */
  readonly deliveryRateLimits: boolean;
  /**
   * Secret: signs staff tokens, and derives appeals' access codes (AppealRegistrar.accessCodes: the website form
   * sent again gets the same code), so every api process needs the same one. Required when NODE_ENV=production;
   * elsewhere unset → a random one per process, kept in memory only (`npm start` generates one for its api and
   * says so).
   */
  readonly authTokenSecret: string | undefined;
  /** Secrets: earlier signing secrets whose tokens still verify until they expire (key rotation). */
  readonly authTokenPreviousSecrets: readonly string[];
  /**
   * Secret (ACCESS_CODE_KEY, 32+ characters): the key of the stored hashes of the citizens' access codes, so a
   * leaked database gives no code away (an 8-character code's unkeyed hash falls to a search in seconds). Apart
   * from AUTH_TOKEN_SECRET, which rotates: a stored hash outlives any rotation. Required when NODE_ENV=production;
   * elsewhere a fixed development key, the same in every process (one registers, another checks).
   */
  readonly accessCodeKey: string;
  readonly authTokenTtlSeconds: number;
  /**
   * A staff session's absolute lifetime from its sign-in (AUTH_SESSION_MAX_SECONDS, default 12 h: a working
   * day): tokens are renewed within it, never past it; then the employee signs in again.
   */
  readonly authSessionMaxSeconds: number;
  /**
   * Which proxies in front of the api to believe about the client's address (Express's `trust proxy`): false
   * (the default) takes the connection's address and ignores X-Forwarded-For; a number trusts that many hops;
   * a list trusts those addresses, subnets or `loopback` / `linklocal` / `uniquelocal`. Sign-in lock-outs and
   * rate limits per address count by the address this yields.
   */
  readonly trustProxy: false | number | readonly string[];
  /** Per-address request limits of the public form, the status lookup and each channel's webhook. */
  readonly rateLimits: Readonly<Record<RateLimitName, RateLimit | null>>;
  /**
   * Wrong access codes on the citizen's status endpoints, counted apart for each registration number from each
   * address and for each address (this limit), and for each number from all addresses (ten times it, not
   * refusing an address that showed the right code before): past a limit within the window it refuses (429)
   * until it ends, the right code too.
   */
  readonly statusCodeGuesses: RateLimit | null;
  /**
   * Failed sign-ins (and wrong current passwords) in a window, per address and per login from all addresses
   * (RATE_LIMIT_SIGN_IN): past either it refuses (429) until the window ends, without checking the password. A
   * right password costs nothing here: an office behind one NAT address signs in together. Every attempt, right or
   * wrong, is under the generous ceiling rateLimits.signIn (RATE_LIMIT_SIGN_IN_ALL, per address: each a scrypt).
   */
  readonly signInFailures: RateLimit | null;
  /**
   * Whether the API's OpenAPI document and Swagger UI are served (API_DOCS: `public` or `off`; `off` by default
   * with NODE_ENV=production). A government system publishes no map of its staff API: the document lists every
   * endpoint, parameter and role. It is not put behind sign-in instead: the staff token travels only in the
   * Authorization header (no cookie, so no CSRF), which a browser opening the page does not send. The web
   * client's types are written from the code (`npm run api:types`), not fetched from a running api.
   */
  readonly apiDocs: boolean;
  /** Anonymous uploads: bytes of attachments one form may carry, and one address may send in a day. */
  readonly anonymousUploadBytesPerRequest: number;
  readonly anonymousUploadBytesPerDay: number;
  /** scrypt's N for new password hashes (OWASP: 2^17); weaker stored hashes are redone at sign-in. */
  readonly passwordScryptN: number;
  /** Classification: below this confidence an item waits in the manual classification queue. */
  readonly classifierMinConfidence: number;
  /** Two topics each at least this confident → the "several topics" flag. */
  readonly classifierMultiTopicConfidence: number;
  /** Bull cron of the scheduled retraining; "off" disables it. */
  readonly classifierRetrainCron: string;
  /** With no promoted model, train one at first start from the demo appeals' labels. */
  readonly classifierBootstrap: boolean;
  readonly classifierMaxTrainingRows: number;
  /** Share of labelled rows (by a stable hash) never trained on: the slice a new model must score no worse on. */
  readonly classifierHeldBackPercent: number;
  /**
   * Solver threads of a background retraining: 1 (the default) leaves the other core to the thread that keeps
   * serving jobs meanwhile; the CLI and the bench use every core.
   */
  readonly classifierTrainingThreads: number;
  /** Items about one problem are grouped into an incident within this many hours. */
  readonly incidentWindowHours: number;
  /** Word 3-gram Jaccard similarity from which two texts count as near-identical (incidents). */
  readonly incidentSimilarity: number;
  /** The same for a repeated appeal with no new arguments (59-ФЗ ст. 11 ч. 5). */
  readonly repeatedAppealSimilarity: number;
  /**
   * Channel accounts configured by environment variables (one per channel kind; more are data, added by an
   * administrator), and the channels that are off with the reason. Secrets are in `accounts[].secrets`.
   */
  readonly channels: ChannelsFromEnv;
  /**
   * The key that encrypts the secrets of channel accounts an administrator adds (CHANNEL_SECRETS_KEY, 32+
   * characters). Without it such an account's secrets can only be named by environment variable.
   */
  readonly channelSecretsKey: string | undefined;
  /**
   * Hosts (CHANNEL_INTERNAL_HOSTS, comma-separated names or addresses) an administrator's channel account may connect
   * to although they are inside our network (this machine, private, link-local, carrier-NAT ranges): anything else
   * there is refused, so an account cannot be pointed at the api's own internals, Postgres, Redis or the cloud
   * metadata service (169.254.169.254): when it is saved, built, and a name again at every connection
   * (`accountConnections`: a name may resolve elsewhere by then). None by default with NODE_ENV=production;
   * elsewhere this machine's names (`localhost,127.0.0.1,::1`: the fakes of development and the tests). The
   * environment's own accounts are the word of whoever runs the system and are not checked.
   */
  readonly channelInternalHosts: readonly string[];
  /**
   * Folders (MEDO_ACCOUNT_ROOTS, comma-separated absolute paths) inside which an administrator's МЭДО account may
   * keep its folders: it reads every file there into appeals and moves them. None by default with
   * NODE_ENV=production (an administrator adds no МЭДО account until whoever runs the system names where); `/`
   * elsewhere. The environment's МЭДО account is not checked.
   */
  readonly medoAccountRoots: readonly string[];
  /**
   * Hosts (CHANNEL_SECRET_HOSTS, comma-separated) an administrator's account may send a secret named by environment
   * variable to, besides the channels' own API hosts and the hosts the environment's accounts use: a department's
   * mail server, a regional ПОС gateway.
   */
  readonly channelSecretHosts: readonly string[];
  private readonly env: NodeJS.ProcessEnv;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    const problems: string[] = [];
    this.env = env;
    const str = (name: string, fallback: string): string => {
      const value = env[name];
      return value === undefined || value === '' ? fallback : value;
    };
    const int = (name: string, fallback: number, min: number, max: number): number => {
      const raw = env[name];
      if (raw === undefined || raw === '') return fallback;
      const value = Number(raw);
      if (!Number.isInteger(value) || value < min || value > max) {
        problems.push(`${name} must be an integer between ${min} and ${max}, got "${raw}"`);
        return fallback;
      }
      return value;
    };
    const bool = (name: string, fallback: boolean): boolean => {
      const raw = env[name];
      if (raw === undefined || raw === '') return fallback;
      if (['1', 'true', 'yes'].includes(raw.toLowerCase())) return true;
      if (['0', 'false', 'no'].includes(raw.toLowerCase())) return false;
      problems.push(`${name} must be true or false, got "${raw}"`);
      return fallback;
    };
    const url = (name: string, fallback: string, protocols: string[]): string => {
      const value = str(name, fallback);
      try {
        const parsed = new URL(value);
        if (!protocols.includes(parsed.protocol)) problems.push(`${name} must use ${protocols.join(' or ')}`);
      } catch {
        problems.push(`${name} is not a valid URL`);
      }
      return value;
    };

    this.databaseUrl = url('DATABASE_URL', 'postgres://postgres@127.0.0.1:5432/inbox', [
      'postgres:',
      'postgresql:',
    ]);
    this.apiParallelSetupCost = int('API_PG_PARALLEL_SETUP_COST', 10_000, 0, 1_000_000_000);
    this.pgJit = bool('PG_JIT', false);
    this.pgIdleInTransactionTimeoutMs = int('PG_IDLE_IN_TRANSACTION_TIMEOUT_MS', 120_000, 0, 86_400_000);
    this.pgStatementTimeoutMs = int('PG_STATEMENT_TIMEOUT_MS', 120_000, 0, 86_400_000);
    this.pgPoolMax = int('PG_POOL_MAX', 20, 2, 1_000);
    this.pgQueryTimeoutMs = int(
      'PG_QUERY_TIMEOUT_MS',
      this.pgStatementTimeoutMs && this.pgStatementTimeoutMs + QUERY_TIMEOUT_GRACE_MS,
      0,
      86_400_000,
    );
    this.pgLongStatementTimeoutMs = int('PG_LONG_STATEMENT_TIMEOUT_MS', 1_800_000, 0, 86_400_000);
    this.pgLongQueryTimeoutMs =
      this.pgLongStatementTimeoutMs && this.pgLongStatementTimeoutMs + QUERY_TIMEOUT_GRACE_MS;
    this.redisUrl = url('REDIS_URL', 'redis://127.0.0.1:6379', ['redis:', 'rediss:']);
    this.queuePrefix = str('QUEUE_PREFIX', 'inbox');
    this.httpHost = str('HTTP_HOST', '0.0.0.0');
    this.httpPort = int('HTTP_PORT', 3000, 0, 65535);
    this.publicBaseUrl = url('PUBLIC_BASE_URL', `http://localhost:${this.httpPort}`, ['http:', 'https:']);
    this.runMigrationsAtBoot = bool('MIGRATIONS_RUN_AT_BOOT', true);
    this.attachmentMaxBytes = int('ATTACHMENT_MAX_BYTES', 10 * 1024 * 1024, 1024, 1024 * 1024 * 1024);
    this.attachmentMaxCount = int('ATTACHMENT_MAX_COUNT', 5, 0, 100);
    this.attachmentStoreRetryMs = int('ATTACHMENT_STORE_RETRY_MS', 60_000, 1_000, 86_400_000);
    this.attachmentStoreRounds = int('ATTACHMENT_STORE_ROUNDS', 8, 1, 50);
    this.answerDays = int('ANSWER_DAYS', 30, 1, 365);
    this.ratingLinkDays = int('RATING_LINK_DAYS', 30, 1, 365);
    this.fastTrackDays = int('FAST_TRACK_DAYS', 10, 1, 365);
    const rule = str('LAST_DAY_RULE', 'preceding-working-day');
    if (!(LAST_DAY_RULES as readonly string[]).includes(rule)) {
      problems.push(`LAST_DAY_RULE must be one of ${LAST_DAY_RULES.join(', ')}, got "${rule}"`);
    }
    this.lastDayRule = (LAST_DAY_RULES as readonly string[]).includes(rule)
      ? (rule as LastDayRule)
      : 'preceding-working-day';
    this.managementCentreCode = str('MANAGEMENT_CENTRE_CODE', 'cur');
    this.workerConcurrency = int('WORKER_CONCURRENCY', 16, 1, 256);
    this.queueLockMs = int('QUEUE_LOCK_MS', 30_000, 1_000, 600_000);
    this.jobAttempts = int('JOB_ATTEMPTS', 8, 1, 100);
    this.pendingSweepMs = int('PENDING_SWEEP_MS', 30_000, 1_000, 3_600_000);
    this.classifyBatch = int('CLASSIFY_BATCH', 50, 1, 1000);
    this.classifyPasses = int('CLASSIFY_PASSES', 4, 1, 64);
    this.classifyPollMs = int('CLASSIFY_POLL_MS', 250, 10, 60_000);
    this.classifyOnRegistration = bool('CLASSIFY_ON_REGISTRATION', true);
    this.clusterBatch = int('CLUSTER_BATCH', 200, 1, 5000);
    this.deliveryRetryFailedMs = int('DELIVERY_RETRY_FAILED_MS', 600_000, 1_000, 86_400_000);
    this.deliveryRetryRounds = int('DELIVERY_RETRY_ROUNDS', 6, 0, 50);
    this.intakeRetryFailedMs = int('INTAKE_RETRY_FAILED_MS', 300_000, 1_000, 86_400_000);
    this.intakeRetryRounds = int('INTAKE_RETRY_ROUNDS', 8, 0, 50);
    this.eventHookPollMs = int('EVENT_HOOK_POLL_MS', 1000, 50, 60_000);
    this.eventHookAttempts = int('EVENT_HOOK_ATTEMPTS', 10, 1, 100);
    this.eventHookRetryMs = int('EVENT_HOOK_RETRY_MS', 2000, 10, 600_000);
    this.eventHookRetryForMs = int('EVENT_HOOK_RETRY_FOR_MS', 86_400_000, 0, 7 * 86_400_000);
    this.eventHookLeaseMs = int('EVENT_HOOK_LEASE_MS', 60_000, 300, 3_600_000);
    this.clockWatchMs = int('CLOCK_WATCH_MS', 60_000, 1_000, 3_600_000);
    this.clockSkewMaxMs = int('CLOCK_SKEW_MAX_MS', 120_000, 1_000, 86_400_000);
    this.countsFoldMs = int('COUNTS_FOLD_MS', 10_000, 100, 3_600_000);
    this.channelAccountsRefreshMs = int('CHANNEL_ACCOUNTS_REFRESH_MS', 5000, 100, 3_600_000);
    this.personalDataRetentionDays = int('PERSONAL_DATA_RETENTION_DAYS', 1826, 1, 36_500);
    this.quarantineRetentionDays = int('QUARANTINE_RETENTION_DAYS', 90, 1, 36_500);
    this.retentionSweepMs = int('RETENTION_SWEEP_MS', 3_600_000, 1_000, 86_400_000);
    this.retentionBatchSize = int('RETENTION_BATCH_SIZE', 200, 1, 10_000);
    this.atRiskAnswerHours = int('AT_RISK_ANSWER_HOURS', 72, 0, 24 * 30);
    this.atRiskLine2Minutes = int('AT_RISK_LINE2_MINUTES', 120, 0, 24 * 60 * 5);
    this.atRiskEscalationMinutes = int('AT_RISK_ESCALATION_MINUTES', 5, 0, 15);
    this.escalationClockChannels = str('ESCALATION_CLOCK_CHANNELS', 'operator')
      .split(',')
      .map((c) => c.trim())
      .filter((c) => c !== '');
    for (const c of this.escalationClockChannels.filter((c) => !isChannel(c))) {
      problems.push(`ESCALATION_CLOCK_CHANNELS: unknown channel "${c}"`);
    }
    const level = str('LOG_LEVEL', 'info');
    if (!['debug', 'info', 'warn', 'error'].includes(level))
      problems.push(`LOG_LEVEL must be debug, info, warn or error`);
    this.logLevel = (
      ['debug', 'info', 'warn', 'error'].includes(level) ? level : 'info'
    ) as AppConfig['logLevel'];

    this.deliveryRateLimits = bool('DELIVERY_RATE_LIMITS', true);
    this.authTokenSecret = env.AUTH_TOKEN_SECRET || undefined;
    if (this.authTokenSecret && this.authTokenSecret.length < 32)
      problems.push('AUTH_TOKEN_SECRET must be 32+ characters');
    if (!this.authTokenSecret && env.NODE_ENV === 'production')
      problems.push(
        'AUTH_TOKEN_SECRET must be set in production (NODE_ENV=production): 32+ random characters',
      );
    this.accessCodeKey = env.ACCESS_CODE_KEY || DEVELOPMENT_ACCESS_CODE_KEY;
    if (env.ACCESS_CODE_KEY && env.ACCESS_CODE_KEY.length < 32)
      problems.push('ACCESS_CODE_KEY must be 32+ characters');
    if (!env.ACCESS_CODE_KEY && env.NODE_ENV === 'production')
      problems.push('ACCESS_CODE_KEY must be set in production (NODE_ENV=production): 32+ random characters');
    this.authTokenPreviousSecrets = (env.AUTH_TOKEN_PREVIOUS_SECRETS ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    if (this.authTokenPreviousSecrets.some((s) => s.length < 32))
      problems.push('AUTH_TOKEN_PREVIOUS_SECRETS: each secret must be 32+ characters');
    const rate = (name: string, fallback: string): RateLimit | null => {
      const raw = str(name, fallback).trim();
      if (raw === 'off') return null;
      const match = /^(\d+)\/(\d+)$/.exec(raw);
      if (!match || Number(match[1]) < 1 || Number(match[2]) < 1) {
        problems.push(`${name} must be "<requests>/<seconds>" or "off", got "${raw}"`);
        return null;
      }
      return { limit: Number(match[1]), windowSeconds: Number(match[2]) };
    };
    this.trustProxy = trustProxyOf(str('TRUST_PROXY', 'off').trim(), problems);
    this.rateLimits = {
      form: rate('RATE_LIMIT_FORM', '20/600'),
      status: rate('RATE_LIMIT_STATUS', '60/60'),
      faq: rate('RATE_LIMIT_FAQ', '120/60'),
      webhook: rate('RATE_LIMIT_WEBHOOK', '600/60'),
      signIn: rate('RATE_LIMIT_SIGN_IN_ALL', '120/60'),
    };
    this.signInFailures = rate('RATE_LIMIT_SIGN_IN', '30/60');
    const docs = str('API_DOCS', env.NODE_ENV === 'production' ? 'off' : 'public').trim();
    if (docs !== 'off' && docs !== 'public')
      problems.push(`API_DOCS must be "off" or "public", got "${docs}"`);
    this.apiDocs = docs === 'public';
    this.statusCodeGuesses = rate('RATE_LIMIT_STATUS_GUESSES', '20/3600');
    this.anonymousUploadBytesPerRequest = int(
      'ANONYMOUS_UPLOAD_BYTES_PER_REQUEST',
      20 * 1024 * 1024,
      1024,
      1024 * 1024 * 1024,
    );
    this.anonymousUploadBytesPerDay = int(
      'ANONYMOUS_UPLOAD_BYTES_PER_DAY',
      50 * 1024 * 1024,
      1024,
      100 * 1024 * 1024 * 1024,
    );
    this.passwordScryptN = int('PASSWORD_SCRYPT_N', 2 ** 17, 2 ** 14, 2 ** 20);
    if ((this.passwordScryptN & (this.passwordScryptN - 1)) !== 0)
      problems.push('PASSWORD_SCRYPT_N must be a power of two');
    this.authTokenTtlSeconds = int('AUTH_TOKEN_TTL_SECONDS', 3600, 60, 24 * 3600);
    this.authSessionMaxSeconds = int('AUTH_SESSION_MAX_SECONDS', 12 * 3600, 20, 7 * 24 * 3600);

    const fraction = (name: string, fallback: number): number => {
      const raw = env[name];
      if (raw === undefined || raw === '') return fallback;
      const value = Number(raw);
      if (!Number.isFinite(value) || value < 0 || value > 1) {
        problems.push(`${name} must be a number between 0 and 1, got "${raw}"`);
        return fallback;
      }
      return value;
    };
    this.classifierMinConfidence = fraction('CLASSIFIER_MIN_CONFIDENCE', 0.6);
    this.classifierMultiTopicConfidence = fraction('CLASSIFIER_MULTI_TOPIC_CONFIDENCE', 0.3);
    this.classifierRetrainCron = str('CLASSIFIER_RETRAIN_CRON', '0 3 * * *');
    if (this.classifierRetrainCron !== 'off' && this.classifierRetrainCron.trim().split(/\s+/).length < 5) {
      problems.push(`CLASSIFIER_RETRAIN_CRON must be a cron expression or "off"`);
    }
    this.classifierBootstrap = bool('CLASSIFIER_BOOTSTRAP', true);
    this.classifierMaxTrainingRows = int('CLASSIFIER_MAX_TRAINING_ROWS', 100_000, 10, 5_000_000);
    this.classifierHeldBackPercent = int('CLASSIFIER_HELD_BACK_PERCENT', 15, 1, 50);
    this.classifierTrainingThreads = int('CLASSIFIER_TRAINING_THREADS', 1, 1, 16);
    this.incidentWindowHours = int('INCIDENT_WINDOW_HOURS', 24, 1, 24 * 30);
    this.incidentSimilarity = fraction('INCIDENT_SIMILARITY', 0.6);
    this.repeatedAppealSimilarity = fraction('REPEATED_APPEAL_SIMILARITY', 0.8);

    this.channels = channelsFromEnv(env, problems);
    this.channelSecretsKey = env.CHANNEL_SECRETS_KEY || undefined;
    if (this.channelSecretsKey && this.channelSecretsKey.length < 32)
      problems.push('CHANNEL_SECRETS_KEY must be 32+ characters');
    this.channelInternalHosts = (
      env.CHANNEL_INTERNAL_HOSTS ?? (env.NODE_ENV === 'production' ? '' : 'localhost,127.0.0.1,::1')
    )
      .split(',')
      .map((host) =>
        host
          .trim()
          .toLowerCase()
          .replace(/^\[(.*)\]$/, '$1'),
      )
      .filter((host) => host !== '');
    this.medoAccountRoots = (env.MEDO_ACCOUNT_ROOTS ?? (env.NODE_ENV === 'production' ? '' : '/'))
      .split(',')
      .map((root) => root.trim())
      .filter((root) => root !== '');
    if (this.medoAccountRoots.some((root) => !root.startsWith('/')))
      problems.push('MEDO_ACCOUNT_ROOTS: each folder must be an absolute path');
    this.channelSecretHosts = (env.CHANNEL_SECRET_HOSTS ?? '')
      .split(',')
      .map((host) => host.trim().toLowerCase())
      .filter((host) => host !== '');

    if (problems.length > 0) throw new ConfigError(problems);
  }

  /**
   * A secret a channel account names by environment variable (never logged, never stored): only a channel's
   * variable (isChannelSecretVariable), never the system's own.
   */
  secretFromEnv(name: string): string | undefined {
    return isChannelSecretVariable(name) ? this.env[name] || undefined : undefined;
  }

  /** Connection strings with the password replaced, for start-up messages. */
  describe(): Record<string, string> {
    return {
      database: redactUrl(this.databaseUrl),
      redis: redactUrl(this.redisUrl),
      http: `${this.httpHost}:${this.httpPort}`,
    };
  }
}

/** The prefixes of the channels' own environment variables (channel-settings.ts reads them). */
const CHANNEL_VARIABLE_PREFIXES = ['TELEGRAM_', 'VK_', 'OK_', 'EMAIL_', 'POS_', 'MEDO_', 'WEBSITE_FEED_'];

/**
 * Whether a channel account may name this environment variable for a secret: a channel's (TELEGRAM_…, VK_…,
 * OK_…, EMAIL_…, POS_…, MEDO_…, WEBSITE_FEED_…), never the system's own (AUTH_TOKEN_SECRET, DATABASE_URL,
 * CHANNEL_SECRETS_KEY, …). Otherwise an administrator could have a token-signing key or the database password
 * sent, as a channel's token, to an API address of their choosing, and with the key sign in as anyone.
 */
export function isChannelSecretVariable(name: string): boolean {
  return /^[A-Z][A-Z0-9_]{1,100}$/.test(name) && CHANNEL_VARIABLE_PREFIXES.some((p) => name.startsWith(p));
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

function trustProxyOf(raw: string, problems: string[]): AppConfig['trustProxy'] {
  if (['off', 'false', 'no', '0'].includes(raw.toLowerCase())) return false;
  if (/^\d+$/.test(raw)) {
    const hops = Number(raw);
    if (hops > 10) problems.push(`TRUST_PROXY: at most 10 hops, got "${raw}"`);
    return Math.min(hops, 10);
  }
  const list = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  const isAddress = (entry: string) => {
    const [address, prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    if (family === 0 || rest.length > 0) return false;
    return prefix === undefined || (/^\d+$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
  };
  const bad = list.filter((entry) => !PROXY_NAMES.includes(entry) && !isAddress(entry));
  if (list.length === 0 || bad.length > 0) {
    problems.push(
      `TRUST_PROXY must be "off", a number of hops or a comma-separated list of addresses, subnets, ` +
        `loopback, linklocal, uniquelocal; got "${raw}"`,
    );
    return false;
  }
  return list;
}

/** A connection URL fit for a log line or a console message: its password (also a `?password=` one) hidden. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    for (const key of [...parsed.searchParams.keys()]) {
      if (/pass/i.test(key)) parsed.searchParams.set(key, '***');
    }
    return parsed.toString();
  } catch {
    return url.replace(/\/\/([^/@]*?):[^/@]*@/, '//$1:***@');
  }
}
