import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ChannelRegistry } from '@inbox/channels';
import { rootLogger, rowsOf } from '@inbox/common';
import { ConnectorError, type OutboundMessage } from '@inbox/integrations/contract';

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
  email: string | null;
  phone: string | null;
  display: string | null;
}

/**
 * Sends one outbound message through the channel the appeal came from. Idempotent: a sent message is not
 * sent again, and the message id is the connector's idempotency key. A permanent failure is recorded on
 * the appeal, never dropped; a temporary one goes back to the queue.
 */
@Injectable()
export class DeliveryService {
  private readonly log = rootLogger.child('delivery');

  constructor(
    private readonly dataSource: DataSource,
    private readonly channels: ChannelRegistry,
  ) {}

  async deliver(outboundMessageId: string): Promise<DeliveryOutcome> {
    const [m] = (await this.dataSource.query(
      `SELECT m.id, m.appeal_id, m.channel, m.kind, m.text, m.subject, m.status, a.registration_number,
              a.external_id, a.reply_address, p.email, p.phone,
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
    await this.dataSource.query(`UPDATE outbound_messages SET attempts = attempts + 1 WHERE id = $1`, [m.id]);
    try {
      const receipt = await entry.connector.send(entry.account, {
        id: m.id,
        kind: m.kind,
        text: m.text,
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
      throw new RetryableDeliveryError(
        reason,
        error instanceof ConnectorError ? error.details.retryAfterMs : undefined,
      );
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
