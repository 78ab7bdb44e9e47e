import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type AppealEventRecord, AppealEventHooks, ChannelRegistry } from '@inbox/channels';
import { rootLogger } from '@inbox/common';
import { OutboundMessagesRepository } from '@inbox/delivery';
import {
  Channel,
  hasButtons,
  type OutboundMessage,
  PHONE_CHOICE_ID,
  requestsPhone,
} from '@inbox/integrations/contract';
import { JobName, JobProducer } from '@inbox/queue';
import { AttachmentFetcher } from './attachment-fetcher.service';
import { BOT_CHANNELS } from './dialogue.service';
import { NoticesRepository } from './notices.repository';
import {
  escalatedNoticeRu,
  PHONE_BUTTON_RU,
  phoneRequestRu,
  ratingRequestRu,
  registeredNoticeRu,
  reopenedNoticeRu,
} from './texts';

type NoticeKind = Extract<
  OutboundMessage['kind'],
  'registration-notice' | 'status-notice' | 'rating-request'
>;

/** The history events a messenger citizen hears about (extension and redirection notices come from the workflow). */
const NOTICE_EVENTS = ['registered', 'escalated', 'reopened', 'delivered'];

/**
 * Notices to citizens of messenger appeals, driven by the appeals' history (the appeal-event outbox): the
 * registration number and term, escalation and reopening, and after the answer is delivered the two rating
 * questions of S4 п. 27.3 with buttons (Telegram, VK dialogues) or digits (OK). Each is an outbound message
 * unique per (history event, kind), so a replayed event sends nothing twice. VK wall threads are public: they
 * get the registration notice and the answer only.
 */
@Injectable()
export class CitizenNotices implements OnModuleInit {
  private readonly log = rootLogger.child('citizen-notices');

  constructor(
    private readonly notices: NoticesRepository,
    private readonly outbound: OutboundMessagesRepository,
    private readonly hooks: AppealEventHooks,
    private readonly registry: ChannelRegistry,
    private readonly jobs: JobProducer,
    private readonly media: AttachmentFetcher,
  ) {}

  onModuleInit(): void {
    for (const channel of BOT_CHANNELS) {
      this.hooks.on('citizen-notices', channel, NOTICE_EVENTS, (event) => this.onEvent(event));
      this.hooks.on('messenger-media', channel, ['registered', 'follow-up-received'], (event) =>
        this.media.enqueueForAppeal(event.appealId),
      );
    }
  }

  async onEvent(event: AppealEventRecord): Promise<void> {
    const replyAddress = await this.notices.replyAddressOf(event.appealId);
    const wall = event.channel === Channel.Vk && replyAddress?.postId !== undefined;
    const number = event.registrationNumber;
    const data = event.data ?? {};
    switch (event.type) {
      case 'registered': {
        const text = registeredNoticeRu(number, String(data.answerDueDate));
        // S0: a line-2 request carries the applicant's phone, which a messenger does not give. Where the
        // channel can ask for it with one press, the citizen is asked right away, under the number.
        const connector = this.registry.forDelivery(event.channel)?.connector;
        if (!wall && requestsPhone(connector) && !(await this.notices.applicantHasPhone(event.appealId))) {
          await this.queue(event, 'registration-notice', `${text}\n${phoneRequestRu()}`, [
            [{ id: PHONE_CHOICE_ID, label: PHONE_BUTTON_RU }],
          ]);
          return;
        }
        await this.queue(event, 'registration-notice', text);
        return;
      }
      case 'escalated': {
        if (wall) return;
        const ids = Array.isArray(data.organisationIds) ? data.organisationIds : [];
        const names = await this.notices.organisationNames(ids as string[]);
        await this.queue(event, 'status-notice', escalatedNoticeRu(number, names));
        return;
      }
      case 'reopened': {
        if (wall) return;
        const [name] = await this.notices.organisationNames([String(data.toOrganisationId)]);
        const text = reopenedNoticeRu(number, name ?? 'вышестоящая организация', String(data.answerDueDate));
        await this.queue(event, 'status-notice', text);
        return;
      }
      case 'delivered': {
        if (data.kind !== 'answer' || wall) return;
        const connector = this.registry.forDelivery(event.channel)?.connector;
        const choices = hasButtons(connector) ? connector.ratingChoices(number) : undefined;
        await this.queue(event, 'rating-request', ratingRequestRu(number, choices !== undefined), choices);
        return;
      }
    }
  }

  private async queue(
    event: AppealEventRecord,
    kind: NoticeKind,
    text: string,
    choices?: OutboundMessage['choices'],
  ): Promise<void> {
    const id = await this.outbound.queueOnce({
      appealId: event.appealId,
      channel: event.channel,
      kind,
      text,
      subject: `Обращение № ${event.registrationNumber}`,
      choices,
      sourceEventId: event.id,
    });
    if (!id) return;
    await this.jobs.addDelivery(JobName.DeliverOutboundMessage, { outboundMessageId: id }, this.log);
  }
}
