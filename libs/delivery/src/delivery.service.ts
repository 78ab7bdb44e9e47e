import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type ChannelEntry, ChannelRegistry } from '@inbox/channels';
import { rootLogger, rowsOf } from '@inbox/common';
import { ConnectorError, type DeliveryReceipt, type OutboundMessage } from '@inbox/integrations/contract';
import { isRateLimitedChannel } from '@inbox/queue';
import { ChatBusyError, ChatPacer } from './chat-pacer';

export type DeliveryOutcome = 'sent' | 'already-sent' | 'failed-permanently';

/** A failure worth retrying; the queue backs off and tries again. */
export class RetryableDeliveryError extends Error {
  constructor(
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
    this.name = 'RetryableDeliveryError';
  }
}

interface MessageRow {
  id: string;
  appeal_id: string;
  channel: string;
  kind: OutboundMessage['kind'];
  text: string;
  subject: string | null;
  status: string;
  registration_number: string;
  external_id: string;
  reply_address: Record<string, unknown> | null;
  choices: OutboundMessage['choices'] | null;
  email: string | null;
  phone: string | null;
  display: string | null;
}

interface BotReplyRow {
  id: string;
  channel: string;
  status: string;
  reply_address: Record<string, unknown>;
  text: string;
  choices: OutboundMessage['choices'] | null;
}

/**
 * Sends one outbound message through the channel the appeal came from. Idempotent: a sent message is not
 * sent again, and the message id is the connector's idempotency key (VK random_id); the receipt (remote id,
 * time) is stored. A permanent failure is recorded on the appeal, never dropped; a temporary one goes back to
 * the queue with the channel's retry-after. Messenger chats are paced (one message per second in Telegram).
 */
@Injectable()
export class DeliveryService {
  private readonly log = rootLogger.child('delivery');

  constructor(
    private readonly dataSource: DataSource,
    private readonly channels: ChannelRegistry,
    private readonly pacer: ChatPacer,
  ) {}

  /** The connector kind a message or bot reply goes out through; undefined when that channel is off. */
  async connectorKindOf(ref: {
    outboundMessageId?: string;
    botReplyId?: string;
  }): Promise<string | undefined> {
    const [row] = (await this.dataSource.query(
      ref.botReplyId
        ? `SELECT channel FROM bot_replies WHERE id = $1`
        : `SELECT channel FROM outbound_messages WHERE id = $1`,
      [ref.botReplyId ?? ref.outboundMessageId],
    )) as { channel: string }[];
    return row ? this.channels.forDelivery(row.channel)?.kind : undefined;
  }

  async deliver(outboundMessageId: string): Promise<DeliveryOutcome> {
    const [m] = (await this.dataSource.query(
      `SELECT m.id, m.appeal_id, m.channel, m.kind, m.text, m.subject, m.status, a.registration_number,
              a.external_id, a.reply_address, m.choices, p.email, p.phone,
              COALESCE(NULLIF(concat_ws(' ', p.first_name, p.patronymic), ''), p.display_name) AS display
         FROM outbound_messages m JOIN appeals a ON a.id = m.appeal_id JOIN applicants p ON p.id = a.applicant_id
        WHERE m.id = $1`,
      [outboundMessageId],
    )) as MessageRow[];
    if (!m) throw new Error(`outbound message ${outboundMessageId} does not exist`);
    if (m.status === 'sent') return 'already-sent';

    const entry = this.channels.forDelivery(m.channel);
    if (!entry) {
      await this.fail(m, `канал доставки для «${m.channel}» не настроен`);
      return 'failed-permanently';
    }
    // Our own form and letters keep no reply address: answer to the applicant's e-mail.
    const replyAddress =
      m.reply_address ?? (m.email ? { to: m.email, toName: m.display ?? undefined } : undefined);
    if (!replyAddress && !m.email) {
      await this.fail(m, 'у заявителя нет адреса для ответа в этом канале');
      return 'failed-permanently';
    }
    await this.pace(entry, replyAddress);
    await this.dataSource.query(`UPDATE outbound_messages SET attempts = attempts + 1 WHERE id = $1`, [m.id]);
    try {
      const receipt = await entry.connector.send(entry.account, {
        id: m.id,
        kind: m.kind,
        text: m.text,
        // Notices carry their buttons (rating questions, consent); the connector renders them its own way.
        choices: m.choices ?? undefined,
        subject: m.subject ?? undefined,
        replyAddress: replyAddress as Record<string, unknown> | undefined,
        recipient: { email: m.email ?? undefined, phone: m.phone ?? undefined, name: m.display ?? undefined },
        references: { registrationNumber: m.registration_number, externalId: m.external_id },
      });
      await this.dataSource.transaction(async (tx) => {
        await tx.query(
          `UPDATE outbound_messages SET status = 'sent', remote_id = $2, sent_at = $3, last_error = NULL WHERE id = $1`,
          [m.id, receipt.remoteId ?? null, receipt.sentAt],
        );
        await tx.query(`INSERT INTO appeal_events (appeal_id, type, data) VALUES ($1, 'delivered', $2)`, [
          m.appeal_id,
          { outboundMessageId: m.id, kind: m.kind, channel: entry.kind, remoteId: receipt.remoteId ?? null },
        ]);
      });
      this.log.info('delivered', { outboundMessageId: m.id, kind: entry.kind });
      return 'sent';
    } catch (error) {
      if (error instanceof ConnectorError && !error.retryable) {
        await this.fail(m, `${error.code}: ${error.message}`);
        return 'failed-permanently';
      }
      const reason = error instanceof Error ? error.message : String(error);
      await this.dataSource.query(`UPDATE outbound_messages SET last_error = $2 WHERE id = $1`, [
        m.id,
        reason,
      ]);
      throw retryable(error);
    }
  }

  /** A bot reply outside any appeal (greeting, help, consent request): the same path, kept in bot_replies. */
  async deliverBotReply(botReplyId: string): Promise<DeliveryOutcome> {
    const [r] = (await this.dataSource.query(
      `SELECT id, channel, status, reply_address, text, choices FROM bot_replies WHERE id = $1`,
      [botReplyId],
    )) as BotReplyRow[];
    if (!r) throw new Error(`bot reply ${botReplyId} does not exist`);
    if (r.status === 'sent') return 'already-sent';
    if (r.status === 'failed') return 'failed-permanently';
    const entry = this.channels.forDelivery(r.channel);
    if (!entry) {
      await this.failBotReply(r.id, `канал «${r.channel}» не настроен`);
      return 'failed-permanently';
    }
    await this.pace(entry, r.reply_address);
    await this.dataSource.query(`UPDATE bot_replies SET attempts = attempts + 1 WHERE id = $1`, [r.id]);
    let receipt: DeliveryReceipt;
    try {
      receipt = await entry.connector.send(entry.account, {
        id: r.id,
        kind: 'bot-reply',
        text: r.text,
        choices: r.choices ?? undefined,
        replyAddress: r.reply_address,
      });
    } catch (error) {
      if (error instanceof ConnectorError && !error.retryable) {
        await this.failBotReply(r.id, `${error.code}: ${error.message}`);
        return 'failed-permanently';
      }
      await this.dataSource.query(`UPDATE bot_replies SET last_error = $2 WHERE id = $1`, [
        r.id,
        error instanceof Error ? error.message : String(error),
      ]);
      throw retryable(error);
    }
    await this.dataSource.query(
      `UPDATE bot_replies SET status = 'sent', remote_id = $2, sent_at = $3, last_error = NULL WHERE id = $1`,
      [r.id, receipt.remoteId ?? null, receipt.sentAt],
    );
    this.log.info('bot reply delivered', { botReplyId: r.id, kind: entry.kind });
    return 'sent';
  }

  async failBotReply(botReplyId: string, reason: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE bot_replies SET status = 'failed', last_error = $2 WHERE id = $1 AND status <> 'sent'`,
      [botReplyId, reason.slice(0, 1000)],
    );
    this.log.warn('bot reply failed', { botReplyId, reason });
  }

  /** One message per chat per interval where the channel asks for it (Telegram), whichever worker sends. */
  private async pace(entry: ChannelEntry, replyAddress: Record<string, unknown> | undefined): Promise<void> {
    const chat = replyAddress?.chatId ?? replyAddress?.peerId;
    if (!isRateLimitedChannel(entry.kind) || (typeof chat !== 'string' && typeof chat !== 'number')) return;
    try {
      await this.pacer.acquire(entry.kind, String(chat));
    } catch (error) {
      if (error instanceof ChatBusyError) throw new RetryableDeliveryError(error.message, error.retryAfterMs);
      throw error;
    }
  }

  /** After the last retry, or at once for a permanent error: visible on the appeal. */
  async fail(m: { id: string; appeal_id: string } | string, reason: string): Promise<void> {
    const row =
      typeof m === 'string'
        ? (
            (await this.dataSource.query(`SELECT id, appeal_id FROM outbound_messages WHERE id = $1`, [
              m,
            ])) as {
              id: string;
              appeal_id: string;
            }[]
          )[0]
        : m;
    if (!row) return;
    await this.dataSource.transaction(async (tx) => {
      const updated = rowsOf(
        await tx.query(
          `UPDATE outbound_messages SET status = 'failed', last_error = $2 WHERE id = $1 AND status <> 'sent' RETURNING id`,
          [row.id, reason],
        ),
      );
      if (updated.length === 0) return;
      await tx.query(`INSERT INTO appeal_events (appeal_id, type, data) VALUES ($1, 'delivery-failed', $2)`, [
        row.appeal_id,
        { outboundMessageId: row.id, reason },
      ]);
    });
    this.log.warn('delivery failed', { outboundMessageId: row.id, reason });
  }
}

function retryable(error: unknown): RetryableDeliveryError {
  return new RetryableDeliveryError(
    error instanceof Error ? error.message : String(error),
    error instanceof ConnectorError ? error.details.retryAfterMs : undefined,
  );
}
