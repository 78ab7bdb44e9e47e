import { createHash } from 'node:crypto';
import {
  createParamDecorator,
  type ExecutionContext,
  Injectable,
  Module,
  type OnModuleDestroy,
  SetMetadata,
} from '@nestjs/common';
import {
  ThrottlerGuard,
  type ThrottlerLimitDetail,
  ThrottlerModule,
  type ThrottlerStorage,
} from '@nestjs/throttler';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import { clientAddressKey, DomainError, rootLogger } from '@inbox/common';
import { AppConfig, type RateLimitName } from '@inbox/config';
import { clearSocketTimeoutOnClose, REDIS_SOCKET_TIMEOUT_MS } from '@inbox/queue';

const RATE_LIMIT_KEY = 'rate-limit';

/**
 * Limits an endpoint per address (and per channel, for webhooks) by AppConfig.rateLimits[name]; the endpoints
 * of one name share one budget.
 */
export const RateLimited = (name: RateLimitName) => SetMetadata(RATE_LIMIT_KEY, name);

function rateLimitOf(context: ExecutionContext): RateLimitName | undefined {
  return (Reflect.getMetadata(RATE_LIMIT_KEY, context.getHandler()) ??
    Reflect.getMetadata(RATE_LIMIT_KEY, context.getClass())) as RateLimitName | undefined;
}

/**
 * The counters live in Redis, so a limit holds across every api process. One connection, closed with the app;
 * keys carry the deployment's QUEUE_PREFIX, like its queues.
 */
@Injectable()
export class RateLimitStore implements ThrottlerStorage, OnModuleDestroy {
  private readonly storage: ThrottlerStorageRedisService;
  readonly prefix: string;

  constructor(config: AppConfig) {
    // A Redis gone silent (its machine lost) fails the count, as a Redis down does, instead of holding the request.
    this.storage = new ThrottlerStorageRedisService(config.redisUrl, {
      maxRetriesPerRequest: 3,
      socketTimeout: REDIS_SOCKET_TIMEOUT_MS,
    });
    // Logged as the queues' connections are (ioredis printed it to stderr as «Unhandled error event»).
    const log = rootLogger.child('rate-limits');
    this.storage.redis.on('error', (error: Error) =>
      log.warn('Redis connection failed', { reason: error.message }),
    );
    clearSocketTimeoutOnClose(this.storage.redis);
    this.prefix = `${config.queuePrefix}:rate`;
  }

  /** The Redis connection, for other short-lived state of the edge (the live stream's tickets). */
  get redis(): ThrottlerStorageRedisService['redis'] {
    return this.storage.redis;
  }

  increment(key: string, ttl: number, limit: number, blockDuration: number, name: string) {
    return this.storage.increment(key, ttl, limit, blockDuration, name);
  }

  /**
   * Adds to a named budget that resets `windowSeconds` after its first use; the total within the window and
   * the seconds until it resets.
   */
  async spend(
    budget: string,
    amount: number,
    windowSeconds: number,
  ): Promise<{ total: number; resetsIn: number }> {
    const key = this.budgetKey(budget);
    const results = (await this.storage.redis
      .multi()
      .incrby(key, amount)
      .expire(key, windowSeconds, 'NX')
      .ttl(key)
      .exec()) as [Error | null, number][];
    return { total: results[0][1], resetsIn: Math.max(1, results[2][1]) };
  }

  /** What a named budget holds now (0 when unused or reset). */
  async spent(budget: string): Promise<number> {
    return Number((await this.storage.redis.get(this.budgetKey(budget))) ?? 0);
  }

  private budgetKey(budget: string): string {
    return `${this.prefix}:budget:${createHash('sha256').update(budget).digest('hex')}`;
  }

  async onModuleDestroy(): Promise<void> {
    await this.storage.redis.quit().catch(() => undefined);
  }
}

/**
 * @nestjs/throttler on the endpoints marked @RateLimited only (each named limit skips every other route).
 * A refusal is the one domain error `rate-limited`: 429 with Retry-After, through the one filter.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async throwThrottlingException(
    context: ExecutionContext,
    detail: ThrottlerLimitDetail,
  ): Promise<void> {
    throw new DomainError(
      'rate-limited',
      rateLimitOf(context) === 'signIn'
        ? 'Слишком много попыток входа с вашего адреса. Попробуйте позже'
        : 'Слишком много запросов. Попробуйте позже',
      undefined,
      Math.max(1, detail.timeToBlockExpire),
    );
  }
}

/**
 * Failed sign-ins in RATE_LIMIT_SIGN_IN's window, per address and per login from all addresses (AppConfig
 * signInFailures). An attempt is counted a failure before its password is checked, so a burst sent together cannot
 * outrun the count, and a right password gives it back: successes cost nothing, and forty clerks behind one NAT
 * address sign in at nine together. Neither budget refuses an account at an address it signed in from lately, so
 * neither a guesser elsewhere nor wrong passwords behind the same NAT address keep the employee out (the lock-out
 * of that account from that address still stops guessing it there). Beside the lock-outs (sign_in_failures).
 */
@Injectable()
export class SignInFailureBudget {
  constructor(
    private readonly store: RateLimitStore,
    private readonly config: AppConfig,
  ) {}

  /**
   * Counts the attempt as failed, or refuses it (`rate-limited`, Retry-After: the window's end) when the address or
   * the login has spent its failures; the function returned gives the attempt back once its password was right.
   */
  async reserve(
    address: string,
    login: { subject: string; knownSource: boolean },
  ): Promise<() => Promise<void>> {
    const limit = this.config.signInFailures;
    if (!limit) return () => Promise.resolve();
    const budgets = [`sign-in-failures:address:${address}`];
    if (!login.knownSource) budgets.push(`sign-in-failures:login:${login.subject}`);
    const spend = (amount: number) =>
      Promise.all(budgets.map((budget) => this.store.spend(budget, amount, limit.windowSeconds)));
    const giveBack = async () => void (await spend(-1));
    const spent = await spend(1);
    // An account at an address it signed in from lately is refused by neither budget (its failures still count on
    // the address's): a guesser elsewhere cannot keep the employee out by the login's, nor a colleague or a
    // guesser behind the same NAT address by the address's.
    const over = login.knownSource ? -1 : spent.findIndex((s) => s.total > limit.limit);
    if (over < 0) return giveBack;
    await giveBack();
    throw new DomainError(
      'rate-limited',
      over === 0
        ? 'Слишком много неудачных попыток входа с вашего адреса. Попробуйте позже'
        : 'Слишком много неудачных попыток входа под этим логином. Попробуйте позже',
      undefined,
      spent[over].resetsIn,
    );
  }
}

@Module({
  providers: [RateLimitStore, SignInFailureBudget],
  exports: [RateLimitStore, SignInFailureBudget],
})
class RateLimitStoreModule {}

/** What a client's budgets count under: its address (behind TRUST_PROXY), an IPv6 one by its /64. */
const ADDRESS = (req: Record<string, unknown>): string => clientAddressKey(String(req.ip ?? 'unknown'));

/** The client as rate limits, access-code guesses and sign-in lock-outs count it (clientAddressKey), not Nest's @Ip(). */
export const ClientAddress = createParamDecorator((_data: unknown, context: ExecutionContext) =>
  ADDRESS(context.switchToHttp().getRequest<Record<string, unknown>>()),
);

export const RateLimitsModule = ThrottlerModule.forRootAsync({
  imports: [RateLimitStoreModule],
  inject: [AppConfig, RateLimitStore],
  useFactory: (config: AppConfig, store: RateLimitStore) => ({
    storage: store,
    setHeaders: false,
    throttlers: (Object.keys(config.rateLimits) as RateLimitName[]).map((name) => {
      const limit = config.rateLimits[name];
      return {
        name,
        limit: limit?.limit ?? Number.MAX_SAFE_INTEGER,
        ttl: (limit?.windowSeconds ?? 1) * 1000,
        skipIf: (context: ExecutionContext) => !limit || rateLimitOf(context) !== name,
        // Webhooks: per channel and address, so one noisy source does not starve another.
        getTracker: (req: Record<string, unknown>) =>
          name === 'webhook'
            ? `${String((req.params as Record<string, string> | undefined)?.kind)}:${ADDRESS(req)}`
            : ADDRESS(req),
      };
    }),
    generateKey: (_context: ExecutionContext, tracker: string, name: string) =>
      `${store.prefix}:${name}:${createHash('sha256').update(tracker).digest('hex')}`,
  }),
});

export { RateLimitStoreModule };
