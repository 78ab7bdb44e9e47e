import { Injectable } from '@nestjs/common';
import { type ChannelEntry, ChannelIntake, ChannelRegistry } from '@inbox/channels';
import { rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import {
  Channel,
  type InboundEvent,
  type InteractionEvent,
  type OutboundMessage,
  type RatingEvent,
} from '@inbox/integrations/contract';
import { JobName, JobProducer } from '@inbox/queue';
import { BotReplies, type BotReplyPurpose } from './bot-replies.service';
import { CitizenAppeals } from './citizen-appeals.repository';
import { isConsentReply, parseRatingReply, parseTextCommand, type TypedRating } from './commands';
import { Consents } from './consents.service';
import { DialogueItemsRepository } from './dialogue-items.repository';
import { Dialogue } from './dialogue.service';
import { HELD_INTRO_RU, ratingAlreadyGivenRu, ratingWindowClosedRu } from './texts';
import { isPrivateDialogue } from './public-place';

export type Admission = 'not-gated' | 'command' | 'rating' | 'consent' | 'released' | 'held';

/** How long after a rating request a typed «1 1» in OK still counts as the rating. */
const RATING_WINDOW_DAYS = 14;
/** A rating the core counts as poor (S3): no answer, or not fully satisfied. */
const isPoor = (rating: TypedRating) => !rating.answered || rating.satisfaction !== 'satisfied';

/** One consent request per minute is enough for a citizen who sends several messages in a row. */
const CONSENT_REQUEST_EVERY_MS = 60_000;

/**
 * The bot's look at a stored dialogue item before it may become an appeal (the database holds such items as
 * 'gated', see ChannelIntake). A typed command (VK, OK) or a typed rating is answered and consumed; a
 * typed «Согласен» records consent; anything else goes to registration if the author has consented, and is
 * otherwise kept whole as 'awaiting-consent' — with a reply that asks for consent — until they do.
 */
@Injectable()
export class DialogueAdmission {
  private readonly log = rootLogger.child('bot-admission');

  constructor(
    private readonly items: DialogueItemsRepository,
    private readonly config: AppConfig,
    private readonly registry: ChannelRegistry,
    private readonly intake: ChannelIntake,
    private readonly jobs: JobProducer,
    private readonly replies: BotReplies,
    private readonly consents: Consents,
    private readonly appeals: CitizenAppeals,
    private readonly dialogue: Dialogue,
  ) {}

  async admit(inboundItemId: string): Promise<Admission> {
    const item = await this.items.load(inboundItemId);
    if (!item || item.status !== 'gated') return 'not-gated';
    const p = item.payload;
    const author = p.author?.externalId;
    const entry = await this.registry.deliveryAccount(item.channel, item.account_id);
    // Its account disabled since the item came: not admitted (no reply through another bot); the sweep tries again.
    const idle = this.registry.notWorking(item.account_id);
    if (idle) throw new Error(idle);
    const replyAddress = p.replyAddress ?? {};
    const text = typeof p.text === 'string' ? p.text : '';
    const plainText = (p.attachments ?? []).length === 0;
    if (!author) {
      // Connectors always name the author; without one there is nobody to ask, so registration decides.
      await this.release(item.id);
      return 'released';
    }
    const reply = (purpose: BotReplyPurpose, replyText: string, choices?: OutboundMessage['choices']) =>
      this.replies.send({
        channel: item.channel,
        accountId: entry?.account.id,
        source: `item:${item.id}`,
        purpose,
        authorExternalId: author,
        replyAddress,
        text: replyText,
        choices,
      });

    // A typed command or rating becomes the event a button would have sent, from this item and its author.
    const typedEvent = (prefix: string) => ({
      channel: item.channel as Channel,
      externalId: `${prefix}:${item.external_id}`,
      receivedAt: p.receivedAt,
      author: { externalId: author },
    });

    /**
     * A typed command, rating or consent is kept first, as a button's press is (deferred_inbound_events), then the
     * message is consumed: the consumed message was its only copy, and one whose handling failed (the database
     * away mid-way) was lost with it. Kept, it is retried by its job and the sweep (HandleInboundEvents); kept twice
     * after a crash between the two, it is still handled once (its claim).
     */
    const keepThenConsume = async (
      kept: ChannelEntry,
      event: InboundEvent,
      outcome: Admission,
    ): Promise<Admission> => {
      await this.intake.deferEvents(kept, [event]);
      return (await this.consume(item.id)) ? outcome : 'not-gated';
    };

    // Telegram's /commands come as events; in VK and OK a command is a message of its own.
    const command = item.channel !== Channel.Telegram && plainText ? parseTextCommand(text) : undefined;
    if (command) {
      const event: InteractionEvent = {
        kind: 'interaction',
        ...typedEvent('item'),
        replyAddress,
        action: command.action,
        value: command.value,
      };
      if (entry) return keepThenConsume(entry, event, 'command');
      if (!(await this.consume(item.id))) return 'not-gated';
      await this.dialogue.handle(event, entry);
      return 'command';
    }

    // OK has no buttons: its rating request asks for two digits, which count within the rating window. In Telegram
    // and VK the same digits typed instead of pressed (often with the reason after them) count the same way.
    // Only in the citizen's private chat: digits typed under a post or in a group are somebody's words there.
    const rating =
      plainText && isPrivateDialogue(item.channel, replyAddress, p.features, author)
        ? parseRatingReply(text)
        : undefined;
    const rated = rating
      ? await this.appeals.openRatingRequest(item.channel, author, RATING_WINDOW_DAYS)
      : undefined;
    if (rating && rated && entry) {
      const event: RatingEvent = {
        kind: 'rating',
        ...typedEvent('typed'),
        target: { registrationNumber: rated },
        replyAddress,
        answered: rating.answered,
        satisfaction: rating.satisfaction,
        ...(rating.comment ? { comment: rating.comment } : {}),
      };
      // The citizen is thanked when it is handled (thankForTypedRating).
      if (!rating.comment || !isPoor(rating)) return keepThenConsume(entry, event, 'rating');
      // «2 3 яму так и не заделали»: the rating counts (its comment with it), and the complaint after it is the
      // citizen's message to the rated appeal: a follow-up of it whether or not the rating has reopened it yet.
      await this.intake.deferEvents(entry, [event]);
      await this.release(item.id, rated);
      return 'rating';
    }
    // The same digits after the rating window, or once the answer is rated: an appeal «1 1» helps nobody. The
    // citizen is told why they did not count (once per message: the reply's source), then they are consumed.
    // Digits with words after them go on as a message: the words may be a new request.
    if (rating && !rating.comment && !rated) {
      const last = await this.appeals.lastRatingRequest(item.channel, author);
      if (last) {
        await reply(
          'rating-thanks',
          last.rated
            ? ratingAlreadyGivenRu(last.registrationNumber)
            : ratingWindowClosedRu(last.registrationNumber, RATING_WINDOW_DAYS),
        );
        return (await this.consume(item.id)) ? 'rating' : 'not-gated';
      }
    }

    // «Согласен» once consent is recorded (typed twice, or the citizen unsure it was taken) takes the same way: the
    // citizen hears it is recorded already and what to do next (acceptConsent), and a one-word «appeal» nobody can
    // answer is not registered. Silence would leave them typing it again or thinking the bot broke.
    if (plainText && isConsentReply(text)) {
      // A failure recording it left the citizen's held messages waiting for a consent they had given.
      if (entry)
        return keepThenConsume(
          entry,
          { kind: 'interaction', ...typedEvent('item'), replyAddress, action: 'consent' },
          'consent',
        );
      if (!(await this.consume(item.id))) return 'not-gated';
      await this.dialogue.acceptConsent(item.channel, author, `item:${item.id}`, (text) =>
        reply('dialogue', text),
      );
      return 'consent';
    }

    // Asked before the item is held, not after: once held it is no longer gated, and a request that failed after
    // that (the database away) was never retried — the citizen's message waited for a consent nobody asked for.
    // The request is once per item (its source); a consent recorded between the two only makes it needless.
    if (
      !(await this.consents.has(item.channel, author)) &&
      !(await this.replies.askedForConsentWithin(item.channel, author, CONSENT_REQUEST_EVERY_MS))
    ) {
      await this.dialogue.askForConsent(entry, HELD_INTRO_RU, (text, choices) =>
        reply('consent-request', text, choices),
      );
    }
    const outcome = await this.consents.admit(item.id, item.channel, author);
    if (!outcome) return 'not-gated';
    if (outcome === 'held')
      this.log.info('dialogue item held for consent', { inboundItemId: item.id, channel: item.channel });
    return outcome;
  }

  /** Gated items whose admission job got lost, and held items whose author has consented meanwhile. */
  async sweep(): Promise<{ readmitted: number; released: number }> {
    const ids = await this.items.gatedOlderThan(this.config.pendingSweepMs);
    await this.jobs.requeue(
      JobName.AdmitDialogueItem,
      ids.map((id) => ({
        payload: { inboundItemId: id },
        options: { jobId: `admit:${id}`, removeOnComplete: true },
      })),
    );
    return { readmitted: ids.length, released: await this.consents.releaseConsented() };
  }

  /** The item was a command or a reply to the bot: consumed, never registered. False if already taken. */
  private consume(itemId: string): Promise<boolean> {
    return this.items.consume(itemId);
  }

  private async release(itemId: string, registrationNumber?: string): Promise<void> {
    if (await this.items.release(itemId, registrationNumber))
      await this.jobs.add(JobName.NormaliseInboundItem, { inboundItemId: itemId }, { jobId: itemId });
  }
}
