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

/** `outbound_messages` as other libs write it in their transaction: a message queued, texts erased. */
@Injectable()
export class OutboundMessagesRepository extends SqlRepository {
  /** Queues the message (status 'queued', the table's default); returns its id. */
  async queue(tx: Db, message: QueuedMessage): Promise<string> {
    const row = await this.one<{ id: string }>(
      `INSERT INTO outbound_messages (appeal_id, channel, kind, text, subject) VALUES ($1, $2, $3, $4, $5)
       RETURNING id`,
      [message.appealId, message.channel, message.kind, message.text, message.subject],
      tx,
    );
    return row!.id;
  }

  /** Queues the notice unless its event already has one of this kind: the new message's id, else undefined. */
  async queueOnce(notice: QueuedNotice, db: Db = this.pool): Promise<string | undefined> {
    const row = await this.one<{ id: string }>(
      `INSERT INTO outbound_messages (appeal_id, channel, kind, text, subject, choices, source_event_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (source_event_id, kind) WHERE source_event_id IS NOT NULL DO NOTHING RETURNING id`,
      [
        notice.appealId,
        notice.channel,
        notice.kind,
        notice.text,
        notice.subject,
        notice.choices ? JSON.stringify(notice.choices) : null,
        notice.sourceEventId,
      ],
      db,
    );
    return row?.id;
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
