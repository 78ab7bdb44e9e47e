import { InjectQueue } from '@nestjs/bull';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type Queue } from 'bull';
import { AppealEventHooks, ChannelPuller, ChannelRegistry, type ConnectorKind } from '@inbox/channels';
import { rootLogger } from '@inbox/common';
import { QueueName, processJobs } from '@inbox/queue';

const PULL = 'pull-channel';
const HOOKS = 'drain-appeal-event-hooks';

/**
 * One repeatable pull per pull-capable account. Long polls (Telegram getUpdates, VK) block inside the pull,
 * so a short interval keeps them near real time; the puller's lock keeps one pull per account at a time.
 */
@Injectable()
export class ChannelPullWorker implements OnModuleInit {
  private readonly log = rootLogger.child('channel-pull');

  constructor(
    @InjectQueue(QueueName.Intake) private readonly queue: Queue,
    private readonly registry: ChannelRegistry,
    private readonly puller: ChannelPuller,
    private readonly hooks: AppealEventHooks,
  ) {}

  async onModuleInit(): Promise<void> {
    const pullable = this.registry
      .all()
      .filter(
        (e) =>
          e.connector.pull && e.account.settings.mode !== 'webhook' && e.account.settings.mode !== 'callback',
      );
    processJobs(this.queue, PULL, Math.max(1, pullable.length), async (job) => {
      const report = await this.puller.pull((job.data as { kind: ConnectorKind }).kind);
      if (report.items || report.quarantined || report.error) this.log.info('pulled', { ...report });
      return report;
    });
    for (const entry of pullable) {
      const every = Number(
        entry.account.settings.pullEveryMs ?? (['telegram', 'vk'].includes(entry.kind) ? 1000 : 30_000),
      );
      await this.queue.add(
        PULL,
        { kind: entry.kind },
        { repeat: { every }, jobId: `pull:${entry.kind}`, removeOnComplete: true, removeOnFail: 50 },
      );
    }
    // Channel hooks (status notices, ПОС status pushes) follow the appeals' history every second.
    processJobs(this.queue, HOOKS, 1, async () => ({ seen: await this.hooks.drain() }));
    await this.queue.add(
      HOOKS,
      {},
      { repeat: { every: 1000 }, jobId: HOOKS, removeOnComplete: true, removeOnFail: 50 },
    );
    for (const off of this.registry.off()) this.log.info('channel off', { ...off });
  }
}
