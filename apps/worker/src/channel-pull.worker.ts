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
 * getUpdates, VK) block inside the pull, so a short interval keeps them near real time.
 */
@Injectable()
export class ChannelPullWorker implements OnModuleInit, OnModuleDestroy {
  private readonly log = rootLogger.child('channel-pull');
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly running = new Set<Promise<unknown>>();
  private stopping = false;

  constructor(
    @InjectQueue(QueueName.Intake) private readonly queue: Queue,
    private readonly registry: ChannelRegistry,
    private readonly puller: ChannelPuller,
  ) {}

  async onModuleInit(): Promise<void> {
    const pullable = this.registry
      .all()
      .filter(
        (e) =>
          e.connector.pull && e.account.settings.mode !== 'webhook' && e.account.settings.mode !== 'callback',
      );
    for (const entry of pullable) this.schedule(entry);
    for (const off of this.registry.off()) this.log.info('channel off', { ...off });
  }

  /** First thing at shutdown: a pull enqueues normalisation, so it ends while the queues are open. */
  async onModuleDestroy(): Promise<void> {
    this.stopping = true;
    for (const t of this.timers.values()) clearTimeout(t);
    await Promise.allSettled([...this.running]);
  }

  private schedule(entry: ChannelEntry): void {
    const every = Number(
      entry.account.settings.pullEveryMs ?? (['telegram', 'vk'].includes(entry.kind) ? 1000 : 30_000),
    );
    const tick = async () => {
      if (this.stopping) return;
      const run = this.puller.pull(entry.kind).then(
        (report) => {
          if (report.items || report.quarantined || report.error) this.log.info('pulled', { ...report });
        },
        (error: unknown) => this.log.warn('pull failed', { kind: entry.kind, reason: error }),
      );
      this.running.add(run);
      await run;
      this.running.delete(run);
      if (!this.stopping)
        this.timers.set(
          entry.kind,
          setTimeout(() => void tick(), every),
        );
    };
    // Every pull `every` ms after the previous one ended (the first one `every` ms after start, as Bull repeats did).
    this.timers.set(
      entry.kind,
      setTimeout(() => void tick(), every),
    );
  }
}
