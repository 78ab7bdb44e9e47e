import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ChannelRegistry } from '@inbox/channels';
import { rootLogger } from '@inbox/common';
import { needsSetUp } from '@inbox/integrations/contract';

const RETRY_MS = 30_000;

/**
 * Tells the channels where we are, once per worker start, through each connector's `setUp` (Telegram gets
 * its webhook, or loses any left behind before long polling; OK gets its webhook subscription). Runs in the
 * background and retries, so an unreachable channel never holds up the worker; until it succeeds, Telegram
 * polls back off and show on /health.
 */
@Injectable()
export class ChannelStartup implements OnModuleInit, OnApplicationShutdown {
  private readonly log = rootLogger.child('channel-startup');
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly registry: ChannelRegistry) {}

  onModuleInit(): void {
    for (const entry of this.registry.all()) {
      const connector = entry.connector;
      if (!needsSetUp(connector)) continue;
      this.attempt(`${entry.kind} set-up`, entry.account.id, () => connector.setUp(entry.account));
    }
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
  }

  private attempt(what: string, accountId: string, call: () => Promise<void>): void {
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
        if (this.stopped) return;
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (!this.stopped) this.attempt(what, accountId, call);
        }, RETRY_MS);
        timer.unref();
        this.timers.add(timer);
      },
    );
  }
}
