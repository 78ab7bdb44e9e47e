import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AuditLog, canSeeOrganisation, refusedOnRecord } from '@inbox/access';
import {
  Clock,
  conflictError,
  DomainError,
  forbiddenError,
  foundById,
  invalidInput,
  notFoundError,
  safeFileName,
  sizeText,
  UUID,
} from '@inbox/common';
import { canConfigure, canManageSections, canRequestChange, type KnowledgeActor } from './knowledge-policy';
import { KB_ATTACHMENT_TYPES, kbAttachmentMismatch } from './kb-attachment-types';
import { KB_REVIEW_AT_RISK_DAYS, reviewDueAt } from './knowledge-terms';
import { KnowledgeRepository, type SectionChanges, type SectionRow } from './knowledge.repository';

export const KB_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024;

export type SectionView = SectionRow & { reviewState: 'ok' | 'at-risk' | 'overdue' };

/**
 * The structure of the knowledge base: each organisation's sections (S4 п. 39), their responsible person, the
 * quarterly review (S4 п. 41), the organisation's settings and articles' attachments. Content itself changes
 * only through a request (knowledge-requests.service.ts).
 */
@Injectable()
export class KnowledgeSections {
  constructor(
    @Inject(KnowledgeRepository) private readonly repo: KnowledgeRepository,
    @Inject(AuditLog) private readonly audit: AuditLog,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /** Every section (the structure is visible to all staff), or only those in the caller's scope. */
  async list(
    actor: KnowledgeActor,
    filter: { organisationId?: string; topicId?: string; review?: 'overdue' | 'due-soon'; mine?: boolean },
  ): Promise<SectionView[]> {
    const now = this.clock.now();
    const rows = await this.repo.sections({
      organisationId: filter.organisationId,
      topicId: filter.topicId,
      reviewDueBefore:
        filter.review === 'overdue'
          ? now
          : filter.review === 'due-soon'
            ? addDays(now, KB_REVIEW_AT_RISK_DAYS)
            : undefined,
      scope: filter.mine ? actor.scope : undefined,
    });
    return rows.map((r) => withReviewState(r, now));
  }

  async get(id: string): Promise<SectionView> {
    const row = await foundById(id, (sid) => this.repo.section(sid), 'Раздел не найден');
    return withReviewState(row, this.clock.now());
  }

  async create(
    actor: KnowledgeActor,
    input: {
      organisationId: string;
      title: string;
      description?: string;
      topicId?: string;
      responsibleUserId?: string;
    },
  ): Promise<SectionView> {
    if (!canManageSections(actor, input.organisationId)) {
      return this.refused(
        actor,
        'kb-section-create',
        'kb-section',
        null,
        input,
        'Разделы ведёт сама организация: предложите изменение запросом',
      );
    }
    const org = UUID.test(input.organisationId)
      ? await this.repo.organisation(input.organisationId)
      : undefined;
    if (!org) throw invalidInput('Организация не найдена', { organisationId: 'Организация не найдена' });
    await this.checkRefs(org.id, input);
    const title = sectionTitle(input.title);
    if (await this.repo.sectionByTitle(org.id, title)) {
      throw conflictError('Раздел с таким названием уже есть', { title: 'Уже есть' });
    }
    const now = this.clock.now();
    const id = await this.repo.insertSection({
      organisationId: org.id,
      topicId: input.topicId ?? null,
      title,
      description: input.description?.trim() || null,
      responsibleUserId: input.responsibleUserId ?? null,
      createdAt: now,
      lastReviewedAt: null,
      reviewDueAt: reviewDueAt(now, org),
    });
    return this.recorded(actor, 'kb-section-create', id);
  }

  async update(actor: KnowledgeActor, id: string, input: SectionChanges): Promise<SectionView> {
    const section = await this.get(id);
    if (!canManageSections(actor, section.organisationId)) {
      return this.refused(actor, 'kb-section-update', 'kb-section', id, section, 'Раздел другой организации');
    }
    await this.checkRefs(section.organisationId, input);
    const title = input.title === undefined ? undefined : sectionTitle(input.title);
    await this.repo.updateSection(id, { ...input, ...(title ? { title } : {}) });
    return this.recorded(actor, 'kb-section-update', id);
  }

  /** S4 п. 41: the section was checked against changes in law and citizens' feedback; the next review is due. */
  async markReviewed(actor: KnowledgeActor, id: string): Promise<SectionView> {
    const section = await this.get(id);
    const responsible = section.responsibleUserId === actor.userId;
    if (!responsible && !canManageSections(actor, section.organisationId)) {
      return this.refused(
        actor,
        'kb-section-reviewed',
        'kb-section',
        id,
        section,
        'Актуализирует раздел ответственное лицо организации',
      );
    }
    const org = (await this.repo.organisation(section.organisationId))!;
    const now = this.clock.now();
    await this.repo.markReviewed(id, actor.userId, now, reviewDueAt(now, org));
    return this.recorded(actor, 'kb-section-reviewed', id, {
      wasDue: section.reviewDueAt,
      overdue: section.reviewState === 'overdue',
    });
  }

  /** Audits a change to a section (ids and figures, no texts) and returns the section as it now stands. */
  private async recorded(
    actor: KnowledgeActor,
    action: string,
    id: string,
    details?: Record<string, unknown>,
  ): Promise<SectionView> {
    await this.audit.record({
      userId: actor.userId,
      action,
      entityType: 'kb-section',
      entityId: id,
      ...(details ? { details } : {}),
    });
    return this.get(id);
  }

  /**
   * A refusal of scope or rights on a section, the settings or an attachment is on record like every refusal of
   * scope: who tried what, on which thing and organisation (ids only); then the 403.
   */
  private async refused(
    actor: KnowledgeActor,
    action: string,
    entityType: string,
    entityId: string | null,
    on: { organisationId: string },
    message: string,
  ): Promise<never> {
    return refusedOnRecord(
      this.audit,
      {
        userId: actor.userId,
        action,
        entityType,
        entityId,
        details: { organisationId: UUID.test(on.organisationId) ? on.organisationId : 'invalid' },
      },
      forbiddenError(message),
    );
  }

  /** The settings of an organisation in the caller's scope (or one they configure); another's are refused. */
  async settings(actor: KnowledgeActor, organisationId: string) {
    const row = await this.settingsRow(organisationId);
    if (!canSeeOrganisation(actor.scope, organisationId) && !canConfigure(actor, organisationId)) {
      return this.refused(
        actor,
        'kb-settings-view',
        'organisation',
        organisationId,
        { organisationId },
        'Организация вне вашей области видимости',
      );
    }
    return row;
  }

  private async settingsRow(organisationId: string) {
    const row = UUID.test(organisationId) ? await this.repo.settings(organisationId) : undefined;
    if (!row) throw notFoundError('Организация не найдена');
    return row;
  }

  /** The responsible person (S1 п. 3.1) and consent to publish the FAQ to citizens. */
  async saveSettings(
    actor: KnowledgeActor,
    organisationId: string,
    input: { responsibleUserId?: string | null; publicFaq?: boolean },
  ) {
    await this.settingsRow(organisationId);
    if (!canConfigure(actor, organisationId)) {
      return this.refused(
        actor,
        'kb-settings',
        'organisation',
        organisationId,
        { organisationId },
        'Настройки ведёт руководитель организации',
      );
    }
    await this.checkResponsible(organisationId, input.responsibleUserId);
    await this.repo.saveSettings(organisationId, input);
    await this.audit.record({
      userId: actor.userId,
      action: 'kb-settings',
      entityType: 'organisation',
      entityId: organisationId,
      details: { fields: Object.keys(input) },
    });
    return this.settingsRow(organisationId);
  }

  /** An attachment for an article, stored content-addressed; attached by a change request. */
  async upload(
    actor: KnowledgeActor,
    input: { organisationId?: string; fileName: string; contentType: string; content: Buffer },
  ) {
    const organisationId = input.organisationId ?? actor.organisationId;
    if (!canRequestChange(actor, organisationId)) {
      return this.refused(
        actor,
        'kb-attachment-upload',
        'kb-attachment',
        null,
        { organisationId },
        'Вложения другой организации',
      );
    }
    if (!KB_ATTACHMENT_TYPES.includes(input.contentType)) {
      throw invalidInput('Допустимы PDF, документы Word и Excel, RTF, текст и изображения', {
        file: 'Тип файла',
      });
    }
    if (input.content.length === 0) throw invalidInput('Файл пустой', { file: 'Файл пустой' });
    if (input.content.length > KB_ATTACHMENT_MAX_BYTES) {
      const message = `Файл больше ${sizeText(KB_ATTACHMENT_MAX_BYTES)}`;
      throw new DomainError('too-large', message, { file: message });
    }
    const mismatch = await kbAttachmentMismatch(input.contentType, input.content);
    if (mismatch) throw invalidInput(mismatch, { file: mismatch });
    const fileName = safeFileName(input.fileName).slice(0, 200) || 'file';
    const id = await this.repo.insertAttachment({
      organisationId,
      fileName,
      contentType: input.contentType,
      content: input.content,
      sha256: createHash('sha256').update(input.content).digest('hex'),
      uploadedBy: actor.userId,
    });
    return { id, fileName, contentType: input.contentType, size: input.content.length };
  }

  /**
   * An attachment's bytes. One of a published article is read by all staff, like the article (the knowledge base
   * is shared by design); one not (yet) published — uploaded for a change request, or only in a withdrawn article —
   * by its uploader and staff whose scope covers its organisation; anyone else is refused on record.
   */
  async attachment(actor: KnowledgeActor, id: string) {
    const row = await foundById(id, (aid) => this.repo.attachment(aid), 'Вложение не найдено');
    if (
      !row.published &&
      row.uploadedBy !== actor.userId &&
      !canSeeOrganisation(actor.scope, row.organisationId)
    ) {
      return this.refused(
        actor,
        'kb-attachment-view',
        'kb-attachment',
        id,
        { organisationId: row.organisationId },
        'Вложение другой организации',
      );
    }
    const { organisationId: _o, uploadedBy: _u, published: _p, ...file } = row;
    return file;
  }

  /** The supervisor dashboard's figures: clocks of requests and reviews by organisation, useful articles. */
  async dashboard(actor: KnowledgeActor) {
    return this.repo.dashboard(actor.scope, this.clock.now());
  }

  private async checkRefs(
    organisationId: string,
    input: { topicId?: string | null; responsibleUserId?: string | null },
  ) {
    if (input.topicId && !(UUID.test(input.topicId) && (await this.repo.topicExists(input.topicId)))) {
      throw invalidInput('Тема не найдена в рубрикаторе', { topicId: 'Неизвестная тема' });
    }
    await this.checkResponsible(organisationId, input.responsibleUserId);
  }

  /**
   * The responsible person approves the organisation's changes and reviews its sections: one of its own staff (or
   * of an organisation below it), never an outsider its head could otherwise hand those rights to.
   */
  private async checkResponsible(organisationId: string, userId: string | null | undefined) {
    if (userId && !(UUID.test(userId) && (await this.repo.staffOf(userId, organisationId)))) {
      const message = 'Ответственным может быть только сотрудник этой организации';
      throw invalidInput(message, { responsibleUserId: message });
    }
  }
}

/** A section's title, trimmed: refused under 3 characters. */
function sectionTitle(title: string): string {
  const trimmed = title.trim();
  if (trimmed.length < 3) throw invalidInput('Название раздела — от 3 символов', { title: 'От 3 символов' });
  return trimmed;
}

function addDays(at: Date, days: number): Date {
  return new Date(at.getTime() + days * 86_400_000);
}

export function withReviewState(row: SectionRow, now: Date): SectionView {
  const due = new Date(row.reviewDueAt).getTime();
  const reviewState =
    due < now.getTime() ? 'overdue' : due < addDays(now, KB_REVIEW_AT_RISK_DAYS).getTime() ? 'at-risk' : 'ok';
  return { ...row, reviewState };
}
