import { Injectable, Module } from '@nestjs/common';
import { type AccessScope, AuditLog, appealScopeSql } from '@inbox/access';
import { notFoundError } from '@inbox/common';
import { SqlRepository } from '@inbox/database';
import { JobName, JobProducer } from '@inbox/queue';

/** A message to a citizen that could not be delivered, as staff see it in the queue (no text, no contacts). */
export interface FailedDelivery {
  id: string;
  appealId: string;
  registrationNumber: string;
  channel: string;
  kind: string;
  attempts: number;
  lastError: string | null;
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
              m.attempts, m.last_error AS "lastError", m.created_at AS "createdAt",
              (SELECT max(e.occurred_at) FROM appeal_events e
                WHERE e.appeal_id = m.appeal_id AND e.type = 'delivery-failed'
                  AND e.data->>'outboundMessageId' = m.id::text) AS "failedAt"
         FROM outbound_messages m JOIN appeals a ON a.id = m.appeal_id
        WHERE m.status = 'failed' AND ${appealScopeSql(scope, params, 'a')}
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
   * Back to 'queued' with its attempts reset (and off the sweep's automatic retry rounds), and a `delivery-retried` history event naming who did it. False
   * when the message is not a failed one of this appeal.
   */
  requeue(appealId: string, messageId: string, userId: string): Promise<boolean> {
    return this.dataSource.transaction(async (tx) => {
      const updated = await this.rows(
        `UPDATE outbound_messages SET status = 'queued', attempts = 0, retry_at = NULL
          WHERE id = $1 AND appeal_id = $2 AND status = 'failed' RETURNING id`,
        [messageId, appealId],
        tx,
      );
      if (updated.length === 0) return false;
      await this.rows(
        `INSERT INTO appeal_events (appeal_id, type, actor, data) VALUES ($1, 'delivery-retried', $2, $3)`,
        [appealId, userId, { outboundMessageId: messageId }],
        tx,
      );
      return true;
    });
  }
}

/**
 * Failed deliveries are a queue staff can see and retry (issue 12): each failed message within the viewer's
 * scope, and a retry that puts it back to the delivery worker, audited. Out of scope reads as not found.
 */
@Injectable()
export class FailedDeliveries {
  constructor(
    private readonly repository: FailedDeliveriesRepository,
    private readonly jobs: JobProducer,
    private readonly audit: AuditLog,
  ) {}

  list(scope: AccessScope, limit = 200): Promise<FailedDelivery[]> {
    return this.repository.list(scope, Math.min(Math.max(limit, 1), 1000));
  }

  async retry(scope: AccessScope, appealId: string, messageId: string): Promise<void> {
    const entry = {
      userId: scope.userId,
      action: 'retry-delivery',
      entityType: 'appeal',
      entityId: appealId,
    };
    if (!(await this.repository.appealInScope(scope, appealId))) {
      await this.audit.record({ ...entry, outcome: 'denied', details: { outboundMessageId: messageId } });
      throw notFoundError('Обращение не найдено');
    }
    if (!(await this.repository.requeue(appealId, messageId, scope.userId))) {
      throw notFoundError('Недоставленное сообщение не найдено');
    }
    await this.audit.record({ ...entry, details: { outboundMessageId: messageId } });
    // A fresh job id: the failed job is kept under the message's own id, and Bull ignores a repeated one.
    await this.jobs.add(
      JobName.DeliverOutboundMessage,
      { outboundMessageId: messageId },
      { jobId: `${messageId}:retry:${Date.now()}` },
    );
  }
}

@Module({
  providers: [FailedDeliveriesRepository, FailedDeliveries],
  exports: [FailedDeliveries],
})
export class FailedDeliveriesModule {}
