import { Injectable, type OnModuleInit } from '@nestjs/common';
import { type ChannelEntry, InboundEvents } from '@inbox/channels';
import { rootLogger } from '@inbox/common';
import { PublicFaq } from '@inbox/knowledge';
import {
  acknowledgesInteractions,
  Channel,
  CONSENT_CHOICE_ID,
  hasButtons,
  type InteractionEvent,
  type OutboundMessage,
  type RatingEvent,
} from '@inbox/integrations/contract';
import { BotReplies } from './bot-replies.service';
import { CitizenAppeals } from './citizen-appeals.repository';
import { Consents } from './consents.service';
import {
  appealStatusRu,
  CONSENT_ACK_RU,
  CONSENT_ALREADY_RU,
  CONSENT_NOTICE_RU,
  CONSENT_THANKS_RU,
  FAQ_NOT_FOUND_RU,
  faqAnswerRu,
  faqUsageRu,
  consentHowRu,
  consentLabelRu,
  GREETING_RU,
  helpRu,
  myAppealsRu,
  ratingAckRu,
  ratingThanksRu,
  RELEASED_RU,
  statusNotFoundRu,
  statusUsageRu,
  WRITE_APPEAL_RU,
} from './texts';

export const BOT_CHANNELS = [Channel.Telegram, Channel.Vk, Channel.Ok] as const;
const MY_APPEALS_LIMIT = 10;

/**
 * The bot's conversation in Telegram, VK and OK: greeting with the personal-data notice and a consent button,
 * consent, help, "my appeals", an appeal's status, acknowledged button presses. Replies go out as bot replies
 * through the rate-limited delivery queues.
 */
@Injectable()
export class Dialogue implements OnModuleInit {
  private readonly log = rootLogger.child('bot-dialogue');

  constructor(
    private readonly events: InboundEvents,
    private readonly replies: BotReplies,
    private readonly consents: Consents,
    private readonly appeals: CitizenAppeals,
    private readonly faq: PublicFaq,
  ) {}

  onModuleInit(): void {
    for (const channel of BOT_CHANNELS) {
      this.events.onInteraction(channel, (event, entry) => this.handle(event, entry));
    }
    this.events.onRating(Channel.Telegram, (event, entry, outcome) =>
      this.acknowledgeRating(event, entry, outcome),
    );
    this.events.onRating(Channel.Vk, (event, entry, outcome) => this.thankForRating(event, entry, outcome));
    this.events.onRating(Channel.Ok, (event, entry, outcome) =>
      this.thankForTypedRating(event, entry, outcome),
    );
  }

  /** The rating was typed as digits (DialogueAdmission); the citizen is thanked in the same chat. */
  private async thankForTypedRating(event: RatingEvent, entry: ChannelEntry, outcome: string): Promise<void> {
    if (event.replyAddress) await this.sendRatingThanks(event, entry, outcome, event.replyAddress);
  }

  /**
   * VK: a callback-button press is answered (sendMessageEventAnswer, else it spins), and the citizen is thanked
   * in the dialogue, a text-button press included (VK shows no toast for those): issue 13.
   */
  private async thankForRating(event: RatingEvent, entry: ChannelEntry, outcome: string): Promise<void> {
    await this.acknowledge(entry, event, ratingAckRu(outcome));
    const peerId = event.replyAddress?.peerId;
    if (peerId !== undefined) await this.sendRatingThanks(event, entry, outcome, { peerId });
  }

  /** Thanks for a counted rating, naming the appeal (otherwise why it did not count), once per event. */
  private async sendRatingThanks(
    event: RatingEvent,
    entry: ChannelEntry,
    outcome: string,
    replyAddress: Record<string, unknown>,
  ): Promise<void> {
    const author = event.author?.externalId;
    if (!author) return;
    const number = event.target.registrationNumber;
    const counted = outcome === 'ok' || outcome === 'poor';
    await this.replies.send({
      channel: event.channel,
      accountId: entry.account.id,
      source: `event:${event.channel}:${event.externalId}`,
      purpose: 'rating-thanks',
      authorExternalId: author,
      replyAddress,
      text: counted && number ? ratingThanksRu(number, outcome === 'poor') : ratingAckRu(outcome),
    });
  }

  async handle(event: InteractionEvent, entry: ChannelEntry | undefined): Promise<void> {
    const author = event.author.externalId;
    const source = `event:${event.channel}:${event.externalId}`;
    if (!author) {
      this.log.warn('interaction without an author id', {
        channel: event.channel,
        externalId: event.externalId,
      });
      return;
    }
    // A press on our own message is answered in the chat, not as a reply to that message.
    const { messageId, ...chat } = event.replyAddress ?? {};
    const replyAddress = event.callbackId ? chat : { ...chat, messageId };
    const reply = (
      text: string,
      choices?: OutboundMessage['choices'],
      purpose: 'dialogue' | 'consent-request' = 'dialogue',
    ) =>
      this.replies.send({
        channel: event.channel,
        accountId: entry?.account.id,
        source,
        purpose,
        authorExternalId: author,
        replyAddress,
        text,
        choices,
      });
    const slash = event.channel === Channel.Telegram;

    if (event.action === 'consent' || (event.action === 'button' && event.value === CONSENT_CHOICE_ID)) {
      await this.acknowledge(entry, event, CONSENT_ACK_RU);
      await this.acceptConsent(event.channel, author, source, (text) => reply(text));
      return;
    }
    await this.acknowledge(entry, event);
    switch (event.action) {
      case 'start':
        if (await this.consents.has(event.channel, author))
          await reply(`${GREETING_RU}\n\n${WRITE_APPEAL_RU}`);
        else
          await this.askForConsent(entry, GREETING_RU, (text, choices) =>
            reply(text, choices, 'consent-request'),
          );
        return;
      case 'help':
        await reply(helpRu(slash));
        return;
      case 'list-appeals':
        await reply(
          myAppealsRu(await this.appeals.list(event.channel, author, MY_APPEALS_LIMIT), MY_APPEALS_LIMIT),
        );
        return;
      case 'faq': {
        // The public FAQ of libs/knowledge: only what organisations published for citizens.
        const question = event.value?.trim();
        if (!question) {
          await reply(faqUsageRu(slash));
          return;
        }
        const found = await this.faq.answer(question);
        await reply(found ? faqAnswerRu(found) : FAQ_NOT_FOUND_RU);
        return;
      }
      case 'appeal-status': {
        const number = event.value?.trim().replace(/^№\s*/u, '');
        if (!number) {
          await reply(statusUsageRu(slash));
          return;
        }
        const appeal = await this.appeals.one(event.channel, author, number);
        await reply(appeal ? appealStatusRu(appeal) : statusNotFoundRu(number, slash));
        return;
      }
      default:
        // Any other button: acknowledged above, nothing more to say.
        return;
    }
  }

  /** The notice with the consent button where the channel has buttons (else how to consent in words). */
  async askForConsent(
    entry: ChannelEntry | undefined,
    intro: string,
    send: (text: string, choices?: OutboundMessage['choices']) => Promise<unknown>,
  ): Promise<void> {
    const connector = entry?.connector;
    const label = hasButtons(connector) ? consentLabelRu(connector.buttonLabelMax) : undefined;
    await send(
      `${intro}\n\n${CONSENT_NOTICE_RU}\n\n${consentHowRu(label)}`,
      label ? [[{ id: CONSENT_CHOICE_ID, label }]] : undefined,
    );
  }

  /**
   * Records the consent `source` (the reply's source) gave and thanks for it; a consent given before is said so.
   * The same source handled again (its reply failed, the job retried) thanks, as the first attempt meant to.
   */
  async acceptConsent(
    channel: string,
    author: string,
    source: string,
    send: (text: string) => Promise<unknown>,
  ): Promise<void> {
    const { fresh, released } = await this.consents.accept(channel, author, source);
    if (!fresh) await send(`${CONSENT_ALREADY_RU} ${WRITE_APPEAL_RU}`);
    else await send(`${CONSENT_THANKS_RU} ${released > 0 ? RELEASED_RU : WRITE_APPEAL_RU}`);
  }

  /**
   * Telegram shows a spinner on a pressed button until the press is answered (answerCallbackQuery), with the
   * thanks; a rating typed as digits has no button, and is thanked in the chat.
   */
  private async acknowledgeRating(event: RatingEvent, entry: ChannelEntry, outcome: string): Promise<void> {
    if (event.callbackId) await this.acknowledge(entry, event, ratingAckRu(outcome));
    else await this.thankForTypedRating(event, entry, outcome);
  }

  /** A pressed button spins until the channel hears back (Telegram answerCallbackQuery). */
  private async acknowledge(
    entry: ChannelEntry | undefined,
    press: Pick<InteractionEvent, 'callbackId' | 'replyAddress'> & { author?: { externalId?: string } },
    text?: string,
  ) {
    const connector = entry?.connector;
    if (!press.callbackId || !connector || !acknowledgesInteractions(connector)) return;
    // A late or repeated press is refused by Telegram ("query is too old"): nothing to do about it.
    await connector
      .acknowledgeInteraction(entry.account, {
        callbackId: press.callbackId,
        text,
        replyAddress: press.replyAddress,
        authorExternalId: press.author?.externalId,
      })
      .catch((error: unknown) => this.log.warn('button press not acknowledged', { reason: error }));
  }
}
