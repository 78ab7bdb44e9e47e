import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InboundStore } from '@inbox/intake';
import { Channel } from '@inbox/integrations/contract';
import { AppealRegistrar } from '../../appeal-registrar.service';
import { type Actor } from '../actor';
import { requireCaseworker } from '../rules';
import { WorkflowError } from '../workflow-error';
import { ClassifyCommand } from './classify.command';

/** A call, a visit or a letter on paper, as the operator writes it down (card S0/S4). */
export interface OperatorAppealInput {
  medium: 'phone' | 'reception' | 'post';
  surname: string;
  firstName: string;
  patronymic?: string;
  phone?: string;
  email?: string;
  postalAddress?: string;
  address?: string;
  topicId?: string;
  subject: string;
  text: string;
  regime?: 'message' | 'appeal';
}

export interface OperatorRegistration {
  id: string;
  registrationNumber: string;
  accessCode: string;
  answerDueDate: string;
}

/**
 * Registration by an operator: stored as an inbound item of the operator channel (so it has the same
 * history and idempotency as any other channel), registered at once, classified when the operator chose a topic.
 */
@Injectable()
export class RegisterCommand {
  constructor(
    private readonly store: InboundStore,
    private readonly registrar: AppealRegistrar,
    private readonly classify: ClassifyCommand,
  ) {}

  async execute(input: OperatorAppealInput, actor: Actor, now = new Date()): Promise<OperatorRegistration> {
    requireCaseworker(actor);
    const [stored] = await this.store.store(
      [
        {
          channel: Channel.Operator,
          externalId: `operator:${randomUUID()}`,
          receivedAt: now.toISOString(),
          regime: input.regime ?? 'appeal',
          author: {
            surname: input.surname,
            firstName: input.firstName,
            patronymic: input.patronymic,
            phone: input.phone?.replace(/[^\d+]/g, ''),
            email: input.email,
            postalAddress: input.postalAddress,
          },
          subject: input.subject,
          text: input.text,
          address: input.address,
          features: { medium: input.medium, registeredBy: actor.userId },
        },
      ],
      { enqueue: false },
    );
    const outcome = await this.registrar.registerInboundItem(stored.inboundItemId);
    if (outcome.kind !== 'registered')
      throw new WorkflowError('invalid-input', 'Обращение не зарегистрировано');
    if (input.topicId) await this.classify.execute(outcome.appealId, actor, input.topicId);
    return {
      id: outcome.appealId,
      registrationNumber: outcome.registrationNumber,
      accessCode: outcome.accessCode,
      answerDueDate: outcome.deadlines.answerDueDate,
    };
  }
}
