import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SYSTEM_SCOPE, Role } from '@inbox/access';
import { type Actor, AppealWorkflow } from '@inbox/appeals';
import { rootLogger, rowsOf } from '@inbox/common';
import {
  type AppealRef,
  type InboundEvent,
  type InteractionEvent,
  type RatingEvent,
} from '@inbox/integrations/contract';
import { type ChannelEntry } from './channel-registry.service';

export const SYSTEM_ACTOR: Actor = {
  userId: 'system',
  role: Role.Admin,
  organisationId: 'system',
  scope: SYSTEM_SCOPE,
};

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
    private readonly dataSource: DataSource,
    private readonly workflow: AppealWorkflow,
  ) {}

  onInteraction(channel: string, handler: InteractionHandler): void {
    this.handlers.set(channel, handler);
  }

  onRating(channel: string, listener: RatingListener): void {
    this.ratingListeners.set(channel, listener);
  }

  async handle(events: InboundEvent[] | undefined, entry: ChannelEntry): Promise<void> {
    for (const event of events ?? []) {
      try {
        await this.handleOne(event, entry);
      } catch (error) {
        // One bad event must not block the page: it is logged by id and can be replayed from the channel.
        this.log.warn('inbound event failed', {
          channel: event.channel,
          externalId: event.externalId,
          reason: error,
        });
      }
    }
  }

  /** The appeal an event refers to, by our number, the original item's id, or the conversation. */
  async appealFor(channel: string, target: AppealRef): Promise<string | undefined> {
    if (target.registrationNumber) {
      const [row] = (await this.dataSource.query(`SELECT id FROM appeals WHERE registration_number = $1`, [
        target.registrationNumber,
      ])) as { id: string }[];
      if (row) return row.id;
    }
    if (target.externalId) {
      const [row] = (await this.dataSource.query(
        `SELECT appeal_id AS id FROM inbound_items WHERE channel = $1 AND external_id = $2 AND appeal_id IS NOT NULL`,
        [channel, target.externalId],
      )) as { id: string }[];
      if (row) return row.id;
    }
    if (target.threadKey) {
      const [row] = (await this.dataSource.query(
        `SELECT t.appeal_id AS id FROM appeal_threads t JOIN appeals a ON a.id = t.appeal_id
          WHERE t.channel = $1 AND t.thread_key = $2 ORDER BY a.registered_at DESC LIMIT 1`,
        [channel, target.threadKey],
      )) as { id: string }[];
      if (row) return row.id;
    }
    return undefined;
  }

  private async handleOne(event: InboundEvent, entry: ChannelEntry): Promise<void> {
    const claimed = (await this.dataSource.query(
      `INSERT INTO inbound_events (channel, external_id, kind) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING 1`,
      [event.channel, event.externalId, event.kind],
    )) as unknown[];
    if (claimed.length === 0) return;
    let outcome = 'handled';
    if (event.kind === 'rating') {
      const appealId = await this.appealFor(event.channel, event.target);
      if (!appealId) outcome = 'appeal-not-found';
      else {
        const result = await this.workflow.rate(
          appealId,
          {
            channel: event.channel,
            externalId: event.externalId,
            answered: event.answered,
            satisfaction: event.satisfaction,
            channelScore: event.channelScore,
          },
          SYSTEM_ACTOR,
        );
        outcome = result.poor ? 'poor' : 'ok';
      }
      // The rating is recorded whatever the listener does: a failed acknowledgement is only logged.
      await this.ratingListeners
        .get(event.channel)?.(event, entry, outcome)
        .catch((error: unknown) =>
          this.log.warn('rating listener failed', { channel: event.channel, reason: error }),
        );
    } else if (event.kind === 'delivery-state') {
      // An UPDATE … RETURNING comes back from TypeORM as [rows, count].
      const rows = rowsOf<{ appeal_id: string; id: string }>(
        await this.dataSource.query(
          `UPDATE outbound_messages SET delivery_state = $3, delivery_state_at = now()
            WHERE ($1::uuid IS NOT NULL AND id = $1::uuid) OR ($2::text IS NOT NULL AND remote_id = $2::text)
            RETURNING appeal_id, id`,
          [
            isUuid(event.outboundMessageId) ? event.outboundMessageId : null,
            event.remoteId ?? null,
            event.state,
          ],
        ),
      );
      for (const r of rows) {
        await this.dataSource.query(
          `INSERT INTO appeal_events (appeal_id, type, data) VALUES ($1, 'delivery-state', $2)`,
          [
            r.appeal_id,
            {
              outboundMessageId: r.id,
              state: event.state,
              reason: event.reason ?? null,
              remoteRegistrationNumber: event.remoteRegistrationNumber ?? null,
            },
          ],
        );
      }
      outcome = rows.length ? 'handled' : 'message-not-found';
    } else {
      const handler = this.handlers.get(event.channel);
      if (handler) await handler(event, entry);
      else outcome = 'no-handler';
    }
    await this.dataSource.query(
      `UPDATE inbound_events SET outcome = $3 WHERE channel = $1 AND external_id = $2`,
      [event.channel, event.externalId, outcome],
    );
  }
}

function isUuid(value: string | undefined): value is string {
  return !!value && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}
