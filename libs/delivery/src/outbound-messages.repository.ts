import { Injectable, Module } from '@nestjs/common';
import { type Db, SqlRepository } from '@inbox/database';
import { type OutboundMessage } from '@inbox/integrations/contract';

/** A message to the applicant as another lib queues it (a feed's notice): the delivery worker sends it. */
export interface QueuedMessage {
  appealId: string;
  channel: string;
  kind: OutboundMessage['kind'];
  text: string;
  subject: string | null;
}

/** A notice answering one event of the appeal's history (a status change, an answer sent). */
export interface QueuedNotice extends QueuedMessage {
  choices?: OutboundMessage['choices'];
  /** The history event the notice answers: one notice of a kind per event. */
  sourceEventId: string;
}

/** A message with its channel and the account that received the appeal's item (`i.account_id`). */
export const MESSAGE_CHANNEL_FROM = `outbound_messages m JOIN appeals a ON a.id = m.appeal_id
             LEFT JOIN inbound_items i ON i.id = a.inbound_item_id`;

/** `outbound_messages` as other libs write it in their transaction: a message queued, texts erased. */
@Injectable()
export class OutboundMessagesRepository extends SqlRepository {
  /** Queues the messages (status 'queued', the table's default) under the ids given, in one statement. */
  async queue(tx: Db, messages: (QueuedMessage & { id: string })[]): Promise<void> {
    if (messages.length === 0) return;
    await this.rows(
      `INSERT INTO outbound_messages (id, appeal_id, channel, kind, text, subject)
       SELECT m.id, m.appeal_id, m.channel, m.kind, m.text, m.subject
         FROM jsonb_to_recordset($1::jsonb) AS m(id uuid, appeal_id uuid, channel text, kind text, text text, subject text)`,
      [
        JSON.stringify(
          messages.map((m) => ({
            id: m.id,
            appeal_id: m.appealId,
            channel: m.channel,
            kind: m.kind,
            text: m.text,
            subject: m.subject,
          })),
        ),
      ],
      tx,
    );
  }

  /**
   * Queues each notice unless its event already has one of its kind, in one statement: the new messages' ids (a
   * notice queued before gives none).
   */
  async queueOnce(notices: QueuedNotice[], db: Db = this.pool): Promise<string[]> {
    if (notices.length === 0) return [];
    const rows = await this.rows<{ id: string }>(
      `INSERT INTO outbound_messages (appeal_id, channel, kind, text, subject, choices, source_event_id)
       SELECT n.appeal_id, n.channel, n.kind, n.text, n.subject, n.choices, n.source_event_id
         FROM jsonb_to_recordset($1::jsonb) AS n(appeal_id uuid, channel text, kind text, text text, subject text,
                                                  choices jsonb, source_event_id bigint)
       ON CONFLICT (source_event_id, kind) WHERE source_event_id IS NOT NULL DO NOTHING RETURNING id`,
      [
        JSON.stringify(
          notices.map((n) => ({
            appeal_id: n.appealId,
            channel: n.channel,
            kind: n.kind,
            text: n.text,
            subject: n.subject,
            choices: n.choices ?? null,
            source_event_id: n.sourceEventId,
          })),
        ),
      ],
      db,
    );
    return rows.map((r) => r.id);
  }

  /**
   * Each message's channel, the account that received its appeal's item, and the run it is in (its round and a
   * person's retries: its job id, deliveryJobId), in one statement.
   */
  sendingAccounts(
    ids: string[],
  ): Promise<{ id: string; channel: string; accountId: string | null; round: number; retries: number }[]> {
    return this.rows(
      `SELECT m.id, m.channel, i.account_id AS "accountId", m.retry_rounds AS round, m.manual_retries AS retries
         FROM ${MESSAGE_CHANNEL_FROM} WHERE m.id = ANY($1::uuid[])`,
      [ids],
    );
  }

  /** The appeals' messages lose their texts and subjects (retention): `text` stands in their place. */
  async eraseTexts(tx: Db, appealIds: string[], text: string): Promise<void> {
    await this.rows(
      `UPDATE outbound_messages SET text = $2, subject = NULL WHERE appeal_id = ANY($1)`,
      [appealIds, text],
      tx,
    );
  }
}

/** The outbound messages' repository alone, for a lib that queues messages without sending them. */
@Module({ providers: [OutboundMessagesRepository], exports: [OutboundMessagesRepository] })
export class OutboundMessagesModule {}
