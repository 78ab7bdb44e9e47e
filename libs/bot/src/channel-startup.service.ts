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
 * polls back off and show on /health. An account disabled or changed meanwhile stops its retries.
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
    this.unsubscribe = this.registry.onChange(({ added }) => added.forEach((entry) => this.setUp(entry)));
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    this.unsubscribe?.();
    for (const timer of this.timers) clearTimeout(timer);
  }

  private setUp(entry: ChannelEntry): void {
    const connector = entry.connector;
    if (!needsSetUp(connector)) return;
    this.attempt(entry, () => connector.setUp(entry.account));
  }

  /** Whether this entry is still the account's current one: a disabled or rebuilt account is not set up. */
  private current(entry: ChannelEntry): boolean {
    return !this.stopped && this.registry.byId(entry.account.id) === entry;
  }

  private attempt(entry: ChannelEntry, call: () => Promise<void>): void {
    const what = `${entry.kind} set-up`;
    const accountId = entry.account.id;
    call().then(
      () => this.log.info('channel set up', { what, accountId }),
      (error: unknown) => {
        // The URL (OK's carries the webhook secret) and the token never go into the log.
        this.log.warn('channel set-up failed; will retry', {
          what,
          accountId,
          code: (error as { code?: string })?.code,
          retryInMs: RETRY_MS,
        });
        if (!this.current(entry)) return;
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (this.current(entry)) this.attempt(entry, call);
        }, RETRY_MS);
        timer.unref();
        this.timers.add(timer);
      },
    );
  }
}
