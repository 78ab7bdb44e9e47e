import { InjectQueue } from '@nestjs/bull';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type Queue } from 'bull';
import { ChannelRegistry } from '@inbox/channels';
import { rootLogger } from '@inbox/common';
import { QueueName, RepeatableJobs } from '@inbox/queue';
import { FeedActionRunner } from './feed-action-runner.service';
import { PosRubricatorSync } from './pos-rubricator-sync.service';

export const RUN_FEED_ACTIONS = 'run-feed-actions';
export const SYNC_POS_RUBRICATOR = 'sync-pos-rubricator';
/** Retries of backed-off actions; new ones are triggered at once by their hooks. */
const FEED_ACTIONS_EVERY_MS = 5000;
const RUBRICATOR_EVERY_MS = 6 * 3_600_000;

/** The feeds' repeatable jobs: pending feed actions and the ПОС rubricator mirror. */
@Injectable()
export class FeedsWorker implements OnModuleInit {
  private readonly log = rootLogger.child('feeds-worker');

  constructor(
    @InjectQueue(QueueName.Intake) private readonly queue: Queue,
    private readonly registry: ChannelRegistry,
    private readonly runner: FeedActionRunner,
    private readonly rubricator: PosRubricatorSync,
    private readonly repeatables: RepeatableJobs,
  ) {}

  onModuleInit(): void {
    this.repeatables.sweep(this.queue, RUN_FEED_ACTIONS, FEED_ACTIONS_EVERY_MS, () => this.runner.runAll());
    // Kept whether or not ПОС is configured now: an administrator may add a ПОС account while the worker runs.
    const every = Number(
      this.registry.get('pos')?.account.settings.rubricatorSyncEveryMs ?? RUBRICATOR_EVERY_MS,
    );
    this.repeatables.sweep(this.queue, SYNC_POS_RUBRICATOR, every, () => this.rubricator.sync());
    // A repeatable job first fires one interval from now: a fresh worker syncs once at boot as well, and again
    // when the account it syncs from changes (a ПОС account added while none was there, the default replaced).
    if (this.registry.get('pos')) setImmediate(() => this.syncNow());
    this.registry.onChange(({ added }) => {
      const pos = this.registry.get('pos');
      if (pos && added.includes(pos)) this.syncNow();
    });
  }

  private syncNow(): void {
    void this.rubricator
      .sync()
      .catch((error: unknown) => this.log.warn('rubricator sync failed', { reason: error }));
  }
}
