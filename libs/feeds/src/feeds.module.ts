import { Module } from '@nestjs/common';
import { AppealsModule } from '@inbox/appeals';
import { OutboundMessagesModule } from '@inbox/delivery';
import { OrganisationsModule } from '@inbox/organisations';
import { ChannelCategoriesRepository } from './channel-categories.repository';
import { EmailFeed } from './email-feed.service';
import { FeedActionRunner } from './feed-action-runner.service';
import { FeedActionsRepository } from './feed-actions.repository';
import { FeedActions } from './feed-actions.service';
import { FeedsRepository } from './feeds.repository';
import { FeedsWorker } from './feeds.worker';
import { MedoFeed } from './medo-feed.service';
import { PosFeed } from './pos-feed.service';
import { PosRubricatorSync } from './pos-rubricator-sync.service';

/**
 * What the pull feeds (ПОС, e-mail, МЭДО, an external site) do beyond intake: channel hooks on the appeals'
 * history and the feed actions they record. Worker-only: the hooks are drained there. Relies on the global
 * ChannelsModule and QueueModule.
 */
@Module({
  imports: [OrganisationsModule, AppealsModule, OutboundMessagesModule],
  providers: [
    FeedsRepository,
    ChannelCategoriesRepository,
    FeedActionsRepository,
    FeedActions,
    FeedActionRunner,
    PosFeed,
    PosRubricatorSync,
    EmailFeed,
    MedoFeed,
    FeedsWorker,
  ],
  exports: [FeedActions, FeedActionRunner, PosFeed, PosRubricatorSync, EmailFeed, MedoFeed],
})
export class FeedsModule {}
