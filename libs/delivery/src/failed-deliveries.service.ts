import { Injectable, Module } from '@nestjs/common';
import { type AccessScope, AuditLog } from '@inbox/access';
import { AppealHistoryRepository, AppealsModule } from '@inbox/appeals';
import { notFoundError } from '@inbox/common';
import { Transactions } from '@inbox/database';
import { JobName, JobProducer } from '@inbox/queue';
import { type FailedDelivery, FailedDeliveriesRepository } from './failed-deliveries.repository';

/**
 * Failed deliveries are a queue staff can see and retry (issue 12): each failed message within the viewer's
 * scope, and a retry that puts it back to the delivery worker, audited. Out of scope reads as not found.
 */
@Injectable()
export class FailedDeliveries {
  constructor(
    private readonly repository: FailedDeliveriesRepository,
    private readonly transactions: Transactions,
    private readonly history: AppealHistoryRepository,
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
    // Requeued with a `delivery-retried` history event naming who did it, in one transaction.
    const requeued = await this.transactions.run(async (tx) => {
      if (!(await this.repository.requeue(tx, appealId, messageId))) return false;
      await this.history.append(tx, appealId, 'delivery-retried', scope.userId, {
        outboundMessageId: messageId,
      });
      return true;
    });
    if (!requeued) {
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
  imports: [AppealsModule],
  providers: [FailedDeliveriesRepository, FailedDeliveries],
  exports: [FailedDeliveries],
})
export class FailedDeliveriesModule {}
