import { Injectable } from '@nestjs/common';
import { type AccessScope, appealScopeSql, organisationScopeSql } from '@inbox/access';
import { type Db, SqlRepository } from '@inbox/database';

/** A message to a citizen that could not be delivered, as staff see it in the queue (no text, no contacts). */
export interface FailedDelivery {
  id: string;
  appealId: string;
  registrationNumber: string;
  channel: string;
  kind: string;
  attempts: number;
  lastError: string | null;
  /** An attempt stopped mid-send and the channel cannot tell: the citizen may have it (mark delivered or resend). */
  interrupted: boolean;
  /** A send in several messages: the parts already out (a retry sends only the rest), of how many; 0 and null else. */
  partsSent: number;
  partsTotal: number | null;
  createdAt: Date;
  failedAt: Date | null;
}

/** The failed messages within a scope, and putting one back in the delivery queue. */
@Injectable()
export class FailedDeliveriesRepository extends SqlRepository {
  list(scope: AccessScope, limit: number): Promise<FailedDelivery[]> {
    const params: unknown[] = [limit];
    return this.rows<FailedDelivery>(
      `SELECT m.id, m.appeal_id AS "appealId", a.registration_number AS "registrationNumber", m.channel, m.kind,
              m.attempts, m.last_error AS "lastError", m.send_interrupted_at IS NOT NULL AS interrupted,
              coalesce(cardinality(m.parts_sent), 0) AS "partsSent", m.parts_total AS "partsTotal",
              m.created_at AS "createdAt",
              (SELECT max(e.occurred_at) FROM appeal_events e
                WHERE e.appeal_id = m.appeal_id AND e.type = 'delivery-failed'
                  AND e.data->>'outboundMessageId' = m.id::text) AS "failedAt"
         FROM outbound_messages m JOIN appeals a ON a.id = m.appeal_id
        WHERE m.status = 'failed' AND ${appealScopeSql(scope, params, 'a')}
          AND (m.answer_id IS NULL OR EXISTS (SELECT 1 FROM answers n WHERE n.id = m.answer_id
                 AND ${organisationScopeSql(scope, params, 'n.organisation_id')}))
        ORDER BY m.created_at DESC, m.id LIMIT $1`,
      params,
    );
  }

  async appealInScope(scope: AccessScope, appealId: string): Promise<boolean> {
    const params: unknown[] = [appealId];
    return (
      (await this.one(
        `SELECT 1 FROM appeals a WHERE a.id = $1 AND ${appealScopeSql(scope, params, 'a')}`,
        params,
      )) !== undefined
    );
  }

  /**
   * The organisation whose answer the message carries; null for a notice of the appeal's own (registration, status),
   * undefined when the appeal has no such message.
   */
  async answerOrganisationOf(appealId: string, messageId: string): Promise<string | null | undefined> {
    const row = await this.one<{ organisationId: string | null }>(
      `SELECT n.organisation_id AS "organisationId"
         FROM outbound_messages m LEFT JOIN answers n ON n.id = m.answer_id
        WHERE m.id = $1 AND m.appeal_id = $2`,
      [messageId, appealId],
    );
    return row?.organisationId;
  }

  /**
   * Back to 'queued' with its attempts reset (and off the sweep's automatic retry rounds). A person decided to send
   * it: the mark of an interrupted attempt goes, so the next attempt sends — only the parts not yet out, of a send in
   * several (its parts on record stay). False when the message is not a failed one of this appeal.
   */
  async requeue(
    tx: Db,
    appealId: string,
    messageId: string,
  ): Promise<{ round: number; retries: number } | undefined> {
    return this.one<{ round: number; retries: number }>(
      `UPDATE outbound_messages SET status = 'queued', attempts = 0, retry_at = NULL, send_claim = NULL,
              send_claim_until = NULL, send_interrupted_at = NULL, manual_retries = manual_retries + 1
        WHERE id = $1 AND appeal_id = $2 AND status = 'failed'
        RETURNING retry_rounds AS round, manual_retries AS retries`,
      [messageId, appealId],
      tx,
    );
  }

  /**
   * A message held after an interrupted attempt, marked sent by a person who found the citizen has it (no remote id:
   * the channel never answered). Its kind and channel for the `delivered` event; undefined when the message is not
   * such a held one of this appeal.
   */
  async markDelivered(
    tx: Db,
    appealId: string,
    messageId: string,
  ): Promise<{ kind: string; channel: string } | undefined> {
    const [row] = await this.rows<{ kind: string; channel: string }>(
      `UPDATE outbound_messages SET status = 'sent', sent_at = now(), remote_id = NULL, last_error = NULL,
              retry_at = NULL, send_claim = NULL, send_claim_until = NULL
        WHERE id = $1 AND appeal_id = $2 AND status = 'failed' AND send_interrupted_at IS NOT NULL
        RETURNING kind, channel`,
      [messageId, appealId],
      tx,
    );
    return row;
  }
}
