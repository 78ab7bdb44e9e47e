import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { AuditLog, refusalOnRecord } from '@inbox/access';
import { deliveryJobId, JobName, JobProducer } from '@inbox/queue';
import { InvalidTransitionError } from '../appeal-status';
import { AppealPartsRepository } from '../repositories/appeal-parts.repository';
import { AppealsRepository, type LockedAppeal } from '../repositories/appeals.repository';
import { AppealHistoryRepository } from '../repositories/history.repository';
import { WorkflowReferencesRepository } from '../repositories/workflow-references.repository';
import { type Actor } from './actor';
import { notFound, WorkflowError } from './workflow-error';

export const READ_ONLY =
  'Ваша организация вернула обращение или её поручение закрыто: обращение доступно только для просмотра';

/** What a command gets inside its transaction: the locked appeal and the shared history/notice helpers. */
export interface ChangeContext {
  tx: EntityManager;
  appeal: LockedAppeal;
  actor: Actor;
  /** Appends an event to the appeal's history, by the actor. */
  record(type: string, data: Record<string, unknown>): Promise<void>;
  /**
   * Queues a message to the applicant through the channel of origin. Its delivery is enqueued once the
   * transaction has committed (so the worker never looks for a message that isn't there), unless the
   * command enqueues it itself (`enqueue: false`). Returns the message id.
   */
  notifyApplicant(
    kind: string,
    answerId: string | null,
    text: string,
    options?: {
      enqueue?: boolean;
      deliveryState?: 'published' | 'awaiting-handover';
      /** The answers the message brings, in order, when it brings several (a combined answer). */
      answerIds?: string[];
    },
  ): Promise<string>;
}

/**
 * Another lib's step inside a command's transaction, the appeal locked (libs/incidents: the appeal must still be a
 * member of the incident whose answer this is). It may refuse by throwing a WorkflowError: the command is undone.
 */
export type WithinChange<R = void> = (tx: EntityManager, appeal: LockedAppeal, result: R) => Promise<void>;

/**
 * The one transaction / history / audit helper every workflow command runs in: lock the appeal within the
 * actor's scope (out of scope and absent are the same 404, and the attempt is audited as denied), run the
 * command, bump the version, append the audit record — all or nothing.
 */
@Injectable()
export class AppealChange {
  constructor(
    private readonly dataSource: DataSource,
    private readonly appeals: AppealsRepository,
    private readonly parts: AppealPartsRepository,
    private readonly history: AppealHistoryRepository,
    private readonly references: WorkflowReferencesRepository,
    private readonly audit: AuditLog,
    private readonly jobs: JobProducer,
  ) {}

  async run<T>(
    appealId: string,
    actor: Actor,
    action: string,
    work: (context: ChangeContext) => Promise<T>,
  ): Promise<T> {
    const afterCommit: string[] = [];
    // Every refusal of scope or rights is audited as denied: out of scope (the 404), a read-only part, and a
    // command's own refusal (another organisation's staff named in an assignment, approving one's own draft).
    const result = await refusalOnRecord(
      this.audit,
      { userId: actor.userId, action, entityType: 'appeal', entityId: appealId },
      () =>
        this.transaction(appealId, actor, action, work, afterCommit).catch((error: unknown) => {
          if (error instanceof InvalidTransitionError) throw new WorkflowError('conflict', error.message);
          throw error;
        }),
    );
    for (const id of afterCommit) void this.enqueueDelivery(id).catch(() => undefined);
    return result;
  }

  /** The command in its transaction; the messages it queued for delivery once committed go into `afterCommit`. */
  private transaction<T>(
    appealId: string,
    actor: Actor,
    action: string,
    work: (context: ChangeContext) => Promise<T>,
    afterCommit: string[],
  ): Promise<T> {
    return this.dataSource.transaction(async (tx) => {
      const appeal = await this.appeals.lockInScope(tx, appealId, actor.scope);
      if (!appeal) throw notFound();
      // Access follows the part: an organisation that returned its part, or whose part was closed, reads only.
      if (!(await this.parts.writableIn(appeal.id, actor.scope.organisationIds, tx))) {
        throw new WorkflowError('forbidden', READ_ONLY);
      }
      const context: ChangeContext = {
        tx,
        appeal,
        actor,
        record: (type, data) => this.history.append(tx, appeal.id, type, actor.userId, data),
        notifyApplicant: async (kind, answerId, text, options) => {
          // A form's citizen without an e-mail has no way to hear a notice (an extension, a redirection) but the
          // status page, whose history says it: published there, not a delivery that fails for want of an address
          // and lists itself among staff's failed deliveries. (Answers say their own state: AnswerRelease.)
          const deliveryState =
            options?.deliveryState ??
            (kind !== 'answer' &&
            appeal.channel === 'website' &&
            !(await this.references.applicantAddresses(tx, appeal.id)).email
              ? ('published' as const)
              : undefined);
          const id = await this.references.queueOutbound(tx, {
            appealId: appeal.id,
            answerId,
            channel: appeal.channel,
            kind,
            text,
            subject: `Обращение № ${appeal.registration_number}`,
            deliveryState,
            answerIds: options?.answerIds,
          });
          if (options?.enqueue !== false && !deliveryState) afterCommit.push(id);
          return id;
        },
      };
      const value = await work(context);
      await this.appeals.touch(tx, appeal.id);
      await this.audit.record(
        { userId: actor.userId, action, entityType: 'appeal', entityId: appeal.id },
        tx,
      );
      return value;
    });
  }

  /**
   * Hands an outbound message to the delivery worker under its run's job id (deliveryJobId: the round the sweep
   * queued it in, a person's retries), so a job of that run already queued is not doubled by a second one.
   */
  async enqueueDelivery(outboundMessageId: string): Promise<void> {
    const [run] = await this.references.deliveryRuns(this.dataSource.manager, [outboundMessageId]);
    await this.jobs.add(
      JobName.DeliverOutboundMessage,
      { outboundMessageId },
      { jobId: deliveryJobId(outboundMessageId, run?.round, run?.retries) },
    );
  }
}
