import { Module } from '@nestjs/common';
import { MessageDeliveriesModule } from '@inbox/delivery';
import { IntakeModule } from '@inbox/intake';
import { KnowledgeModule } from '@inbox/knowledge';
import { DialogueAdmission } from './admission.service';
import { AttachmentFetcher } from './attachment-fetcher.service';
import { BotRepliesRepository } from './bot-replies.repository';
import { BotReplies } from './bot-replies.service';
import { BotWorker } from './bot.worker';
import { ChannelStartup } from './channel-startup.service';
import { CitizenAppeals } from './citizen-appeals.repository';
import { CitizenNotices } from './citizen-notices.service';
import { ConsentsRepository } from './consents.repository';
import { Consents } from './consents.service';
import { DialogueItemsRepository } from './dialogue-items.repository';
import { MessengerAttachmentsRepository } from './messenger-attachments.repository';
import { NoticesRepository } from './notices.repository';
import { Dialogue } from './dialogue.service';

/**
 * The citizens' messengers beyond their connectors: the bot's dialogue and consent, notices, media and
 * webhook set-up. Worker-only (the api defers webhook events to the worker); relies on the global
 * ChannelsModule, QueueModule and ConfigModule.
 */
@Module({
  // KnowledgeModule: the public FAQ behind the /faq command; MessageDeliveriesModule: the notices' messages and
  // their deliveries.
  imports: [IntakeModule, KnowledgeModule, MessageDeliveriesModule],
  providers: [
    BotRepliesRepository,
    ConsentsRepository,
    DialogueItemsRepository,
    MessengerAttachmentsRepository,
    NoticesRepository,
    BotReplies,
    CitizenAppeals,
    Consents,
    Dialogue,
    DialogueAdmission,
    AttachmentFetcher,
    CitizenNotices,
    ChannelStartup,
    BotWorker,
  ],
  exports: [Dialogue, DialogueAdmission, AttachmentFetcher, Consents],
})
export class BotModule {}
