import { InjectQueue } from '@nestjs/bull';
import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type Queue } from 'bull';
import { ChannelPuller, ChannelRegistry, type ChannelEntry } from '@inbox/channels';
import { rootLogger } from '@inbox/common';
import { QueueName } from '@inbox/queue';

/** How often the worker reads the channel accounts again (an administrator's changes reach it within this). */
const ACCOUNTS_REFRESH_MS = 5000;

/**
 * Pulls every pull-capable account on its own timer in each worker. The puller's advisory lock keeps one
 * pull per account at a time across all workers, so timers need no coordination; they stop with the
 * worker and are awaited, so nothing pulls while the process shuts down. (A Bull repeatable job per account
 * was used before: its delayed jobs left timers that touched Redis after shutdown.) Long polls (Telegram
 * getUpdates, VK) block inside the pull, so a short interval keeps them near real time.
 */
@Injectable()
export class ChannelPullWorker implements OnModuleInit, OnModuleDestroy {
  private readonly log = rootLogger.child('channel-pull');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<unknown>>();
  private stopping = false;
  private refreshTimer?: NodeJS.Timeout;

  constructor(
    @InjectQueue(QueueName.Intake) private readonly queue: Queue,
    private readonly registry: ChannelRegistry,
    private readonly puller: ChannelPuller,
  ) {}

  async onModuleInit(): Promise<void> {
    this.scheduleNew();
    for (const off of this.registry.off()) this.log.info('channel off', { ...off });
    // Accounts an administrator adds, changes or disables: read again now and then, each pulled on its own timer.
    this.refreshTimer = setTimeout(() => void this.refresh(), ACCOUNTS_REFRESH_MS);
  }

  /** First thing at shutdown: a pull enqueues normalisation, so it ends while the queues are open. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    for (const t of this.timers.values()) clearTimeout(t);
    await Promise.allSettled([...this.running]);
  }

  private async refresh(): Promise<void> {
    if (this.stopping) return;
    const run = this.registry.refresh().then(
      () => this.scheduleNew(),
      (error: unknown) => this.log.warn('channel accounts not read again', { reason: error }),
    );
    this.running.add(run);
    await run;
    this.running.delete(run);
    if (!this.stopping) this.refreshTimer = setTimeout(() => void this.refresh(), ACCOUNTS_REFRESH_MS);
  }

  private scheduleNew(): void {
    const pullable = this.registry
      .all()
      .filter(
        (e) =>
          e.connector.pull && e.account.settings.mode !== 'webhook' && e.account.settings.mode !== 'callback',
      );
    for (const entry of pullable) if (!this.timers.has(entry.account.id)) this.schedule(entry);
  }

  /**
   * Each account on its own timer, so that one account's slow or failing remote side (its own back-off, kept on
   * its row) never holds up another's. A timer ends when its account is gone from the registry (disabled).
   */
  private schedule(entry: ChannelEntry): void {
    const id = entry.account.id;
    const every = Number(
      entry.account.settings.pullEveryMs ?? (['telegram', 'vk'].includes(entry.kind) ? 1000 : 30_000),
    );
    const tick = async () => {
      if (this.stopping) return;
      if (this.registry.byId(id) !== entry) {
        this.timers.delete(id);
        return;
      }
      const run = this.puller.pull(id).then(
        (report) => {
          if (report.items || report.quarantined || report.error) this.log.info('pulled', { ...report });
        },
        (error: unknown) => this.log.warn('pull failed', { kind: entry.kind, accountId: id, reason: error }),
      );
      this.running.add(run);
      await run;
      this.running.delete(run);
      if (!this.stopping)
        this.timers.set(
          id,
          setTimeout(() => void tick(), every),
        );
    };
    // Every pull `every` ms after the previous one ended (the first one `every` ms after start, as Bull repeats did).
    this.timers.set(
      id,
      setTimeout(() => void tick(), every),
    );
  }
}
