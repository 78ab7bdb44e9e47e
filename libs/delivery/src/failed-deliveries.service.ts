import { Injectable, Module } from '@nestjs/common';
import { type AccessScope, AuditLog, canSeeOrganisation, refusedOnRecord } from '@inbox/access';
import { AppealHistoryRepository, AppealsModule } from '@inbox/appeals';
import { forbiddenError, notFoundError } from '@inbox/common';
import { Transactions } from '@inbox/database';
import { deliveryJobId, JobName, JobProducer } from '@inbox/queue';
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
    const entry = await this.inScope(scope, 'retry-delivery', appealId, messageId);
    // Requeued with a `delivery-retried` history event naming who did it, in one transaction.
    const requeued = await this.transactions.run(async (tx) => {
      const run = await this.repository.requeue(tx, appealId, messageId);
      if (!run) return undefined;
      await this.history.append(tx, appealId, 'delivery-retried', scope.userId, {
        outboundMessageId: messageId,
      });
      return run;
    });
    if (!requeued) {
      throw notFoundError('Недоставленное сообщение не найдено');
    }
    await this.audit.record({ ...entry, details: { outboundMessageId: messageId } });
    // A job id of this retry's own (the failed job keeps the one before), which the sweep names too: finding the
    // message queued while this job waits, it adds nothing beside it.
    await this.jobs.add(
      JobName.DeliverOutboundMessage,
      { outboundMessageId: messageId },
      { jobId: deliveryJobId(messageId, requeued.round, requeued.retries) },
    );
  }

  /**
   * A message held after an interrupted attempt (DeliveryService INTERRUPTED_REASON) that the clerk found the citizen
   * has: sent, with the `delivered` event naming who confirmed it (an answer's rating request follows it as after
   * any delivery), audited. Any other message is "not found": only an interrupted send may be marked delivered.
   */
  async markDelivered(scope: AccessScope, appealId: string, messageId: string): Promise<void> {
    const entry = await this.inScope(scope, 'mark-delivered', appealId, messageId);
    const marked = await this.transactions.run(async (tx) => {
      const row = await this.repository.markDelivered(tx, appealId, messageId);
      if (!row) return false;
      await this.history.append(tx, appealId, 'delivered', scope.userId, {
        outboundMessageId: messageId,
        kind: row.kind,
        channel: row.channel,
        remoteId: null,
        confirmedByStaff: true,
      });
      return true;
    });
    if (!marked) throw notFoundError('Прерванная доставка не найдена');
    await this.audit.record({ ...entry, details: { outboundMessageId: messageId } });
  }

  /**
   * The audit entry of an action on the appeal's deliveries; out of scope: denied, audited, "not found". An answer's
   * delivery is its organisation's (and its superiors', and line 1's), as sending it is: another ministry that has
   * its own part of the appeal neither sends it again nor marks it delivered (denied, audited, 403).
   */
  private async inScope(scope: AccessScope, action: string, appealId: string, messageId: string) {
    const entry = { userId: scope.userId, action, entityType: 'appeal', entityId: appealId };
    if (!(await this.repository.appealInScope(scope, appealId))) {
      await refusedOnRecord(
        this.audit,
        { ...entry, details: { outboundMessageId: messageId } },
        notFoundError('Обращение не найдено'),
      );
    }
    const organisationId = await this.repository.answerOrganisationOf(appealId, messageId);
    if (organisationId && !canSeeOrganisation(scope, organisationId)) {
      await refusedOnRecord(
        this.audit,
        { ...entry, details: { outboundMessageId: messageId, organisationId } },
        forbiddenError('Ответ другой организации: его отправляет организация, давшая ответ'),
      );
    }
    return entry;
  }
}

@Module({
  imports: [AppealsModule],
  providers: [FailedDeliveriesRepository, FailedDeliveries],
  exports: [FailedDeliveries],
})
export class FailedDeliveriesModule {}
