import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { ChannelRegistry } from '@inbox/channels';
import { rootLogger } from '@inbox/common';
import { OkConnector } from '@inbox/integrations/ok';
import { deleteWebhook, setWebhook } from '@inbox/integrations/telegram';

const RETRY_MS = 30_000;

/**
 * Tells the messengers where we are, once per worker start: Telegram gets its webhook (URL + secret) or, for
 * long polling, loses any webhook left behind (getUpdates answers 409 while one is set); OK gets its webhook
 * subscription. Runs in the background and retries, so an unreachable channel never holds up the worker;
 * until it succeeds, Telegram polls back off and show on /health.
 */
@Injectable()
export class ChannelStartup implements OnModuleInit, OnApplicationShutdown {
  private readonly log = rootLogger.child('channel-startup');
  private readonly timers = new Set<NodeJS.Timeout>();
  private stopped = false;

  constructor(private readonly registry: ChannelRegistry) {}

  onModuleInit(): void {
    const telegram = this.registry.get('telegram');
    if (telegram) {
      const url = telegram.account.settings.webhookUrl;
      if (telegram.account.settings.mode === 'webhook' && typeof url === 'string') {
        this.attempt('telegram setWebhook', () => setWebhook(telegram.account, url));
      } else {
        this.attempt('telegram deleteWebhook', () => deleteWebhook(telegram.account));
      }
    }
    const ok = this.registry.get('ok');
    const okUrl = ok?.account.settings.webhookUrl;
    if (ok && ok.connector instanceof OkConnector && typeof okUrl === 'string' && okUrl) {
      const connector = ok.connector;
      this.attempt('ok subscribeWebhook', () => connector.subscribeWebhook(ok.account, okUrl));
    }
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    for (const timer of this.timers) clearTimeout(timer);
  }

  private attempt(what: string, call: () => Promise<void>): void {
    call().then(
      () => this.log.info('channel set up', { what }),
      (error: unknown) => {
        // The URL (OK's carries the webhook secret) and the token never go into the log.
        this.log.warn('channel set-up failed; will retry', {
          what,
          code: (error as { code?: string })?.code,
          retryInMs: RETRY_MS,
        });
        if (this.stopped) return;
        const timer = setTimeout(() => {
          this.timers.delete(timer);
          if (!this.stopped) this.attempt(what, call);
        }, RETRY_MS);
        timer.unref();
        this.timers.add(timer);
      },
    );
  }
}
