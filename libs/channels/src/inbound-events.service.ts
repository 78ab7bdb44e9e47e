import { Injectable } from '@nestjs/common';
import { SYSTEM_SCOPE, Role } from '@inbox/access';
import { type Actor, AppealWorkflow } from '@inbox/appeals';
import { DomainError, rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import {
  type AppealRef,
  type InboundEvent,
  type InteractionEvent,
  type RatingEvent,
} from '@inbox/integrations/contract';
import { scopedEvent } from './account-scope';
import { ChannelAccountsRepository } from './channel-accounts.repository';
import { type ChannelEntry } from './channel-registry.service';
import { InboundEventsRepository } from './inbound-events.repository';

/** Shown to staff beside a notification about something we never sent (a МЭДО «Уведомление», a bounce). */
export const UNKNOWN_MESSAGE_REASON_RU = 'Уведомление о документе или сообщении, которого нет в системе';

export const SYSTEM_ACTOR: Actor = {
  userId: 'system',
  role: Role.Admin,
  organisationId: 'system',
  scope: SYSTEM_SCOPE,
};

/** Another handler holds the event's claim (within its lease): retried later, the claim left to its holder. */
export class EventBeingHandledError extends Error {
  constructor(externalId: string) {
    super(`inbound event ${externalId} is being handled elsewhere`);
    this.name = 'EventBeingHandledError';
  }
}

/** A channel's conversational logic (the Telegram bot's dialogue): given an action, answer through the connector. */
export type InteractionHandler = (event: InteractionEvent, entry: ChannelEntry) => Promise<void>;

/** Told after a rating was handled, with the outcome (the bot acknowledges the button press). */
export type RatingListener = (event: RatingEvent, entry: ChannelEntry, outcome: string) => Promise<void>;

/**
 * Ratings, delivery states and bot actions that come with pulled pages and webhooks. Each event is handled
 * once per channel + external id; ratings go to the rating flow (a poor one re-routes upward).
 */
@Injectable()
export class InboundEvents {
  private readonly handlers = new Map<string, InteractionHandler>();
  private readonly ratingListeners = new Map<string, RatingListener>();
  private readonly log = rootLogger.child('inbound-events');

  constructor(
    private readonly repository: InboundEventsRepository,
    private readonly workflow: AppealWorkflow,
    private readonly accounts: ChannelAccountsRepository,
    private readonly config: AppConfig,
  ) {}

  onInteraction(channel: string, handler: InteractionHandler): void {
    this.handlers.set(channel, handler);
  }

  onRating(channel: string, listener: RatingListener): void {
    this.ratingListeners.set(channel, listener);
  }

  /**
   * Handles each event once. One that fails (the database away, a bug) is let go again (its claim released) and
   * logged by id; with `retry` the call then fails, after the others were handled, so that the job carrying them
   * runs again and handles what is left, instead of the event being lost while its claim said it was seen.
   * Returns the events that failed (a pull defers them to the worker: ChannelIntake.deferEvents).
   */
  async handle(
    events: InboundEvent[] | undefined,
    entry: ChannelEntry,
    options: { retry?: boolean } = {},
  ): Promise<InboundEvent[]> {
    const failed: InboundEvent[] = [];
    for (const event of events ?? []) {
      const scoped = scopedEvent(entry, event);
      try {
        // Named by the account, as its items are (account-scope.ts).
        await this.handleOne(scoped, entry);
      } catch (error) {
        failed.push(event);
        this.log.warn('inbound event failed', {
          channel: event.channel,
          externalId: event.externalId,
          reason: error,
        });
        // Held by another handler: its claim is its own (taken over once its lease runs out, if it died).
        if (error instanceof EventBeingHandledError) continue;
        await this.repository.releaseClaim(scoped.channel, scoped.externalId).catch((release: unknown) =>
          this.log.warn('inbound event claim not released', {
            externalId: event.externalId,
            reason: release,
          }),
        );
      }
    }
    if (failed.length > 0 && options.retry)
      throw new Error(`${failed.length} inbound event(s) failed; retried`);
    return failed;
  }

  /** The appeal an event refers to, by our number, the original item's id, or the conversation. */
  appealFor(channel: string, target: AppealRef): Promise<string | undefined> {
    return this.repository.appealFor(channel, target);
  }

  private async handleOne(event: InboundEvent, entry: ChannelEntry): Promise<void> {
    // A claim outlives its handler by at most twice a job lock's time (the job is handed over after one).
    const claim = await this.repository.claim(
      event.channel,
      event.externalId,
      event.kind,
      2 * this.config.queueLockMs,
      event.receivedAt,
    );
    if (claim === 'done') return;
    if (claim === 'busy') throw new EventBeingHandledError(event.externalId);
    let outcome = 'handled';
    if (event.kind === 'rating') {
      const appealId = await this.appealFor(event.channel, event.target);
      if (!appealId) outcome = 'appeal-not-found';
      else {
        // Only the applicant rates, from their own user or chat in the channel the appeal came through.
        try {
          const result = await this.workflow.rate(
            appealId,
            {
              channel: event.channel,
              externalId: event.externalId,
              via: 'channel',
              rater: { externalId: event.author?.externalId, threadKey: event.target.threadKey },
              answered: event.answered,
              satisfaction: event.satisfaction,
              channelScore: event.channelScore,
              comment: event.comment,
            },
            SYSTEM_ACTOR,
          );
          outcome = result.refused ?? (result.poor ? 'poor' : 'ok');
        } catch (error) {
          // Nothing answered yet: the citizen is told so, and the event is not retried.
          if (!(error instanceof DomainError && error.code === 'conflict')) throw error;
          outcome = 'no-answer';
        }
      }
      // The rating is recorded whatever the listener does: a failed acknowledgement is only logged.
      await this.ratingListeners
        .get(event.channel)?.(event, entry, outcome)
        .catch((error: unknown) =>
          this.log.warn('rating listener failed', { channel: event.channel, reason: error }),
        );
    } else if (event.kind === 'delivery-state') {
      const matched = await this.repository.recordDeliveryState(event);
      outcome = matched ? 'handled' : 'message-not-found';
      if (!matched) {
        // Not ours, or ours but lost: kept whole in the quarantine staff see, and said once in the log.
        this.log.warn('delivery notice about an unknown message kept in quarantine', {
          channel: event.channel,
          externalId: event.externalId,
          state: event.state,
        });
        await this.accounts.quarantine(event.channel, entry.account.id, [
          { externalId: event.externalId, reason: UNKNOWN_MESSAGE_REASON_RU, raw: event },
        ]);
      }
    } else if (event.kind === 'withdrawal') {
      // Deleted by the citizen or declined by the channel: noted on the appeal, which stays on record (59-ФЗ).
      const appealId = await this.appealFor(event.channel, event.target);
      // Taken back by the author: a channel that names who deleted (VK's deleter_id: the citizen, or a moderator of
      // the community) gives the deleter as the author, and only the appeal's applicant withdraws.
      // Past the retention term the applicant's id is gone: who deleted cannot be told, and nothing is noted on
      // an appeal long closed and erased (not 'deleted-by-other': that would say the author did not).
      const deleter = event.by === 'author' ? event.author?.externalId : undefined;
      const check =
        appealId && deleter !== undefined
          ? await this.repository.applicantCheck(appealId, event.channel, deleter)
          : 'applicant';
      if (appealId && check === 'applicant') await this.repository.recordWithdrawal(appealId, event);
      outcome = !appealId
        ? 'appeal-not-found'
        : check === 'other'
          ? 'deleted-by-other'
          : check === 'erased'
            ? 'author-unknown-erased'
            : 'withdrawn';
      this.log.info('withdrawal', {
        channel: event.channel,
        externalId: event.externalId,
        by: event.by,
        outcome,
      });
    } else if (event.kind === 'reachability') {
      // The citizen blocked the bot (or unblocked it): noted on the appeal of that dialogue, for whoever answers.
      const appealId = await this.appealFor(event.channel, event.target);
      if (appealId) await this.repository.recordReachability(appealId, event);
      outcome = appealId ? (event.reachable ? 'reachable' : 'unreachable') : 'appeal-not-found';
      this.log.info('dialogue reachability', {
        channel: event.channel,
        externalId: event.externalId,
        outcome,
      });
    } else {
      const handler = this.handlers.get(event.channel);
      if (handler) await handler(event, entry);
      else outcome = 'no-handler';
    }
    await this.repository.setOutcome(event.channel, event.externalId, outcome);
  }
}
