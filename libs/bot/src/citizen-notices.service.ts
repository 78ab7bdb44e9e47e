import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type AppealEventRecord, AppealEventHooks, ChannelRegistry } from '@inbox/channels';
import { rootLogger } from '@inbox/common';
import { MessageDeliveries, OutboundMessagesRepository, type QueuedNotice } from '@inbox/delivery';
import {
  Channel,
  hasButtons,
  type OutboundMessage,
  PHONE_CHOICE_ID,
  requestsPhone,
} from '@inbox/integrations/contract';
import { AttachmentFetcher, MEDIA_CHANNELS } from './attachment-fetcher.service';
import { BOT_CHANNELS } from './dialogue.service';
import { type NoticeFacts, NoticesRepository } from './notices.repository';
import { isPublicPlace } from './public-place';
import {
  escalatedNoticeRu,
  followStatusRu,
  followUpReceivedRu,
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
const NOTICE_EVENTS = ['registered', 'follow-up-received', 'escalated', 'reopened', 'delivered'];
/** A further message is acknowledged once in this time per appeal: an album of photos is one acknowledgement. */
const FOLLOW_UP_ACK_QUIET_MS = 10 * 60_000;

/**
 * Notices to citizens of messenger appeals, driven by the appeals' history (the appeal-event outbox): the
 * registration number and term, a further message joined to the appeal (once per burst), escalation and reopening, and after the answer is delivered the two rating
 * questions of S4 п. 27.3 with buttons (Telegram, VK dialogues) or digits (OK). Each is an outbound message
 * unique per (history event, kind), so a replayed event sends nothing twice. VK and OK wall threads and comments
 * under the Telegram channel's posts are public: they get the registration notice and the answer only.
 */
@Injectable()
export class CitizenNotices implements OnModuleInit {
  private readonly log = rootLogger.child('citizen-notices');

  constructor(
    private readonly notices: NoticesRepository,
    private readonly outbound: OutboundMessagesRepository,
    private readonly hooks: AppealEventHooks,
    private readonly registry: ChannelRegistry,
    private readonly deliveries: MessageDeliveries,
    private readonly media: AttachmentFetcher,
  ) {}

  onModuleInit(): void {
    for (const channel of BOT_CHANNELS)
      this.hooks.onBatch('citizen-notices', channel, NOTICE_EVENTS, (events) => this.onEvents(events));
    // Files only referenced: the messengers', and the links of a reception site's feed.
    for (const channel of MEDIA_CHANNELS) {
      this.hooks.onBatch('messenger-media', channel, ['registered', 'follow-up-received'], (events) =>
        this.media.enqueueForAppeals(events.map((e) => e.appealId)),
      );
    }
  }

  /**
   * The notices a batch of history events owes, set-based: the appeals' facts and the organisations' names read
   * once, the notices queued in one statement (each once per event and kind), their deliveries in one round trip.
   */
  async onEvents(all: AppealEventRecord[]): Promise<void> {
    // Most are the notices' own deliveries, which owe nothing: their appeals are not read.
    const events = all.filter(mayOweNotice);
    if (events.length === 0) return;
    const facts = await this.notices.noticeFacts(events.map((e) => e.appealId));
    const organisations = await this.notices.organisationNames(events.flatMap(organisationIdsOf));
    const acknowledged = await this.notices.followUpsAcknowledgedWithin(
      events.filter((e) => e.type === 'follow-up-received').map((e) => e.appealId),
      FOLLOW_UP_ACK_QUIET_MS,
    );
    const notices = events.flatMap((event) => {
      if (event.type === 'follow-up-received') {
        // Once per burst: told already, or by an earlier event of this batch.
        if (acknowledged.has(event.appealId)) return [];
        acknowledged.add(event.appealId);
      }
      const notice = this.noticeOf(event, facts.get(event.appealId), organisations);
      return notice ? [notice] : [];
    });
    const ids = await this.outbound.queueOnce(notices);
    // Straight to each messenger's own queue (its account's send budget), one job a notice.
    await this.deliveries.enqueue(ids, this.log);
  }

  private noticeOf(
    event: AppealEventRecord,
    facts: NoticeFacts | undefined,
    organisations: { id: string; shortName: string }[],
  ): QueuedNotice | undefined {
    const wall = isPublicPlace(event.channel, facts?.replyAddress);
    const number = event.registrationNumber;
    const data = event.data ?? {};
    const namesOf = (ids: string[]) =>
      organisations.filter((o) => ids.includes(o.id)).map((o) => o.shortName);
    switch (event.type) {
      case 'registered': {
        // In a dialogue, how to follow the appeal; on a wall everyone reads, the notice alone.
        const follow = wall ? undefined : followStatusRu(event.channel === Channel.Telegram);
        const text = registeredNoticeRu(number, data.answerDueDate, data.termDays, follow);
        // S0: a line-2 request carries the applicant's phone, which a messenger does not give. Where the
        // channel can ask for it with one press, the citizen is asked right away, under the number.
        const connector = this.registry.forDelivery(event.channel)?.connector;
        if (!wall && requestsPhone(connector) && !facts?.hasPhone) {
          return notice(event, 'registration-notice', `${text}\n${phoneRequestRu()}`, [
            [{ id: PHONE_CHOICE_ID, label: PHONE_BUTTON_RU }],
          ]);
        }
        return notice(event, 'registration-notice', text);
      }
      case 'follow-up-received': {
        // A correction (an edited message) says nothing new; a shared phone or place alone is no message either.
        const said = typeof data.text === 'string' && data.text.trim() !== '';
        const files = typeof data.attachments === 'number' && data.attachments > 0;
        if (wall || data.correctionOf || !(said || files)) return undefined;
        return notice(event, 'status-notice', followUpReceivedRu(number));
      }
      case 'escalated': {
        if (wall) return undefined;
        return notice(event, 'status-notice', escalatedNoticeRu(number, namesOf(organisationIdsOf(event))));
      }
      case 'reopened': {
        if (wall) return undefined;
        const [name] = namesOf(organisationIdsOf(event));
        const text = reopenedNoticeRu(number, name ?? 'вышестоящая организация', data.answerDueDate);
        return notice(event, 'status-notice', text);
      }
      case 'delivered': {
        if (!mayOweNotice(event) || wall) return undefined;
        const connector = this.registry.forDelivery(event.channel)?.connector;
        const choices = hasButtons(connector) ? connector.ratingChoices(number) : undefined;
        return notice(event, 'rating-request', ratingRequestRu(number, choices !== undefined), choices);
      }
    }
    return undefined;
  }
}

/** Whether the event may owe a notice: a delivery does only when it is an answer's (the rating request). */
export function mayOweNotice(event: Pick<AppealEventRecord, 'type' | 'data'>): boolean {
  return event.type !== 'delivered' || event.data?.kind === 'answer';
}

/** The organisations a notice names: those escalated to, or the one a reopened appeal went to. */
function organisationIdsOf(event: AppealEventRecord): string[] {
  const data = event.data ?? {};
  if (event.type === 'escalated')
    return Array.isArray(data.organisationIds) ? (data.organisationIds as string[]) : [];
  if (event.type === 'reopened') return [String(data.toOrganisationId)];
  return [];
}

function notice(
  event: AppealEventRecord,
  kind: NoticeKind,
  text: string,
  choices?: OutboundMessage['choices'],
): QueuedNotice {
  return {
    appealId: event.appealId,
    channel: event.channel,
    kind,
    text,
    subject: `Обращение № ${event.registrationNumber}`,
    choices,
    sourceEventId: event.id,
  };
}
