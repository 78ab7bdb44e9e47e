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
