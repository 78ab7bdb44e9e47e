import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { type ChannelEntry, ChannelRegistry } from '@inbox/channels';
import { rootLogger } from '@inbox/common';
import { needsSetUp } from '@inbox/integrations/contract';

const RETRY_MS = 30_000;

/**
 * Tells the channels where we are through each connector's `setUp` (Telegram gets its webhook, or loses any left
 * behind before long polling; OK gets its webhook subscription): every account once per worker start, and an
 * account an administrator adds, enables or changes as soon as the registry has read it (no restart). Runs in the
 * background and retries, so an unreachable channel never holds up the worker; until it succeeds, Telegram
 * polls back off and show on /health. An account disabled or changed meanwhile stops its retries. An account
 * disabled or deleted while running is torn down (`tearDown`: Telegram's webhook removed, OK's subscription
 * cancelled), so the channel stops posting to an address that now answers 404; retried until it is enabled again.
 * Every disabled account is torn down once per worker start too (it may have been disabled while the worker was
 * stopped; tearing down again is harmless). A deleted account's row, and so its token, is gone: nothing to call.
 */
@Injectable()
export class ChannelStartup implements OnModuleInit, OnApplicationShutdown {
  private readonly log = rootLogger.child('channel-startup');
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;
  private unsubscribe?: () => void;

  constructor(private readonly registry: ChannelRegistry) {}

  onModuleInit(): void {
    for (const entry of this.registry.all()) this.setUp(entry);
    // Disabled while the worker was stopped: torn down once per start, or the channel keeps posting to our 404.
    this.registry.disabledAccounts().then(
      (disabled) => disabled.forEach((entry) => this.tearDown(entry)),
      (error: unknown) => this.log.warn('disabled channel accounts not read', { reason: error }),
    );
    this.unsubscribe = this.registry.onChange(({ added, removed }) => {
      const rebuilt = new Set(added.map((entry) => entry.account.id));
      removed.filter((entry) => !rebuilt.has(entry.account.id)).forEach((entry) => this.tearDown(entry));
      added.forEach((entry) => this.setUp(entry));
    });
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    this.unsubscribe?.();
    for (const timer of this.timers) clearTimeout(timer);
  }

  private setUp(entry: ChannelEntry): void {
    const connector = entry.connector;
    if (!needsSetUp(connector)) return;
    this.attempt(
      entry,
      'set-up',
      () => connector.setUp(entry.account),
      () => this.current(entry),
    );
  }

  private tearDown(entry: ChannelEntry): void {
    const connector = entry.connector;
    if (!needsSetUp(connector) || !connector.tearDown) return;
    const tearDown = connector.tearDown.bind(connector);
    this.attempt(
      entry,
      'tear-down',
      () => tearDown(entry.account),
      () => !this.stopped && !this.registry.byId(entry.account.id),
    );
  }

  /** Whether this entry is still the account's current one: a disabled or rebuilt account is not set up. */
  private current(entry: ChannelEntry): boolean {
    return !this.stopped && this.registry.byId(entry.account.id) === entry;
  }

  private attempt(
    entry: ChannelEntry,
    step: 'set-up' | 'tear-down',
    call: () => Promise<void>,
    wanted: () => boolean,
  ): void {
    const what = `${entry.kind} ${step}`;
    const accountId = entry.account.id;
    // Enabled again (or disabled) before its turn came: the other step is what is wanted now.
    if (!wanted()) return;
    call().then(
      () => this.log.info(step === 'set-up' ? 'channel set up' : 'channel torn down', { what, accountId }),
      (error: unknown) => {
        // The URL (OK's carries the webhook secret) and the token never go into the log.
        this.log.warn(`channel ${step} failed; will retry`, {
          what,
          accountId,
          code: (error as { code?: string })?.code,
          retryInMs: RETRY_MS,
        });
        if (!wanted()) return;
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (wanted()) this.attempt(entry, step, call, wanted);
        }, RETRY_MS);
        timer.unref();
        this.timers.add(timer);
      },
    );
  }
}
