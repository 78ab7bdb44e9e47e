import { InjectQueue } from '@nestjs/bull';
import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type Queue } from 'bull';
import { ChannelPuller, ChannelRegistry, type ChannelEntry } from '@inbox/channels';
import { rootLogger } from '@inbox/common';
import { QueueName } from '@inbox/queue';

/**
 * Pulls every pull-capable account on its own timer in each worker. The puller's advisory lock keeps one
 * pull per account at a time across all workers, so timers need no coordination; they stop with the
 * worker and are awaited, so nothing pulls while the process shuts down. (A Bull repeatable job per account
 * was used before: its delayed jobs left timers that touched Redis after shutdown.) Long polls (Telegram
 * getUpdates, VK) block inside the pull, so a short interval keeps them near real time. An account an
 * administrator adds or enables gets its timer as soon as the registry reads it; a disabled or changed one's
 * timer ends (the changed one starts again on its new settings).
 */
@Injectable()
export class ChannelPullWorker implements OnModuleInit, OnModuleDestroy {
  private readonly log = rootLogger.child('channel-pull');
  /** Per entry (a changed account is a new entry): the old one's timer ends while the new one's starts. */
  private readonly timers = new Map<ChannelEntry, NodeJS.Timeout>();
  private readonly running = new Set<Promise<unknown>>();
  private stopping = false;
  private unsubscribe?: () => void;

  constructor(
    @InjectQueue(QueueName.Intake) private readonly queue: Queue,
    private readonly registry: ChannelRegistry,
    private readonly puller: ChannelPuller,
  ) {}

  async onModuleInit(): Promise<void> {
    for (const entry of this.registry.all()) this.schedule(entry);
    for (const off of this.registry.off()) this.log.info('channel off', { ...off });
    // Accounts an administrator adds, changes or disables, as the registry reads them again.
    this.unsubscribe = this.registry.onChange(({ added, removed }) => {
      for (const entry of removed) this.stop(entry);
      for (const entry of added) this.schedule(entry);
    });
  }

  /** First thing at shutdown: a pull enqueues normalisation, so it ends while the queues are open. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    this.unsubscribe?.();
    for (const t of this.timers.values()) clearTimeout(t);
    await Promise.allSettled([...this.running]);
  }

  private stop(entry: ChannelEntry): void {
    clearTimeout(this.timers.get(entry));
    this.timers.delete(entry);
  }

  /**
   * Each account on its own timer, so that one account's slow or failing remote side (its own back-off, kept on
   * its row) never holds up another's. A timer ends when its account is gone from the registry (disabled).
   */
  private schedule(entry: ChannelEntry): void {
    const pullable =
      entry.connector.pull &&
      entry.account.settings.mode !== 'webhook' &&
      entry.account.settings.mode !== 'callback';
    if (!pullable || this.timers.has(entry) || this.stopping) return;
    const id = entry.account.id;
    const every = Number(
      entry.account.settings.pullEveryMs ?? (['telegram', 'vk'].includes(entry.kind) ? 1000 : 30_000),
    );
    const tick = async () => {
      if (this.stopping) return;
      if (this.registry.byId(id) !== entry) {
        this.timers.delete(entry);
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
      // Stopped meanwhile (disabled, changed, shutting down): no next pull.
      if (!this.stopping && this.timers.has(entry))
        this.timers.set(
          entry,
          setTimeout(() => void tick(), every),
        );
    };
    // Every pull `every` ms after the previous one ended (the first one `every` ms after start, as Bull repeats did).
    this.timers.set(
      entry,
      setTimeout(() => void tick(), every),
    );
  }
}
