import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager } from 'typeorm';
import { AuditLog, canSeeOrganisation, refusalOnRecord } from '@inbox/access';
import { Clock, conflictError, forbiddenError, invalidInput, notFoundError } from '@inbox/common';
import { appealInScope } from './appeal-in-scope';
import { type ArticleInput, normaliseArticle, normaliseTopicSet } from './knowledge-content';
import {
  canApprove,
  canManageSections,
  canPublish,
  canRequestChange,
  type KnowledgeActor,
  originOf,
} from './knowledge-policy';
import { requestStepDueAt, reviewDueAt, sendDueAt } from './knowledge-terms';
import { KnowledgeRepository, type OrganisationRow, type RequestRow } from './knowledge.repository';
import {
  type ArticleContent,
  type ChangeRequestKind,
  type ChangeRequestOrigin,
  type ChangeRequestStatus,
  OPEN_REQUEST_STATUSES,
  type ProposedArticle,
  type ProposedTopicSet,
  REQUEST_STATUS_RU,
} from './knowledge.types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface CreateRequestInput {
  /** The owner; implied by the section or the article when one is given. */
  organisationId?: string;
  sectionId?: string;
  /** The article to change; none for a new article. */
  articleId?: string;
  kind?: ChangeRequestKind;
  /** «Предмет изменений» (S0 annex 2 п. 2.1). */
  subject: string;
  details?: string;
  proposed?: ArticleInput | { topics?: { name?: string; parentName?: string | null }[] };
  /** Appeals that show the gap (repeated questions from the appeals stream). */
  appealIds?: string[];
  /** A suggestion from the appeals stream rather than a plain request. */
  fromAppealsStream?: boolean;
  /** Send to the responsible person now (default) or keep as a draft being formed. */
  send?: boolean;
}

export interface RequestView extends RequestRow {
  statusName: string;
  history: Awaited<ReturnType<KnowledgeRepository['requestHistory']>>;
  marks: Awaited<ReturnType<KnowledgeRepository['marksOf']>>;
}

/**
 * Change requests and their approval (S0 annex 2): formed by the organisation or by the management centre, or
 * from a gap found in the appeals; sent to the organisation's responsible person the same day; approved or
 * returned within 3 working days (a topic set: 5); entered by the management centre within 2 working days of
 * the approval (a topic set: 5). Each step stores its due time, which the KB clock watcher marks at risk and
 * overdue; being late never blocks a step, it is recorded.
 */
@Injectable()
export class KnowledgeRequests {
  constructor(
    @Inject(KnowledgeRepository) private readonly repo: KnowledgeRepository,
    @Inject(AuditLog) private readonly audit: AuditLog,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  async create(actor: KnowledgeActor, input: CreateRequestInput): Promise<RequestView> {
    const now = this.clock.now();
    // The cited appeals first: one outside the scope is refused (and audited) whatever else the request names.
    // Before the transaction: the denial's audit record takes a connection of its own (see appealInScope).
    const appealIds = [...new Set(input.appealIds ?? [])];
    for (const appealId of appealIds) {
      await appealInScope({ repo: this.repo, audit: this.audit }, appealId, actor, 'kb-request-create');
    }
    // A refusal of another organisation's section is on record with its organisation, once the transaction is over.
    const on: Record<string, unknown> = {};
    const entry = {
      userId: actor.userId,
      action: 'kb-request-create',
      entityType: 'kb-request',
      details: on,
    };
    const id = await refusalOnRecord(this.audit, entry, () =>
      this.repo.transaction(async (tx) => {
        const target = await this.target(input, tx);
        on.organisationId = target.organisation.id;
        if (!canRequestChange(actor, target.organisation.id)) {
          throw forbiddenError('Изменения в разделы другой организации вносятся по запросу ЦУР');
        }
        const kind = input.kind ?? 'content';
        const proposed = input.proposed
          ? await this.proposed(actor, kind, input.proposed, target.articleId, tx)
          : null;
        if (kind === 'content' && proposed && !target.articleId && !target.sectionId) {
          throw invalidInput('Для новой статьи выберите раздел', { sectionId: 'Выберите раздел' });
        }
        const origin: ChangeRequestOrigin = input.fromAppealsStream
          ? 'appeals-stream'
          : originOf(actor, target.organisation.id);
        const send = input.send !== false;
        return this.insert(tx, {
          organisation: target.organisation,
          sectionId: target.sectionId,
          articleId: target.articleId,
          kind,
          origin,
          subject: required(input.subject, 'subject', 'Укажите предмет изменений'),
          details: input.details?.trim() || null,
          proposed,
          createdBy: actor.userId,
          at: now,
          send,
          appealIds,
        });
      }),
    );
    await this.audit.record({
      userId: actor.userId,
      action: 'kb-request-create',
      entityType: 'kb-request',
      entityId: id,
    });
    return this.get(actor, id);
  }

  /**
   * A request written by the system (a gap found in an appeal): sent to the responsible person at once.
   * `sourceEventId` makes it once per appeal history event and organisation; returns undefined for a repeat.
   */
  async createFromGap(input: {
    organisationId: string;
    topicId: string | null;
    origin: Extract<ChangeRequestOrigin, 'escalation' | 'worth-adding'>;
    subject: string;
    details: string | null;
    proposed: ProposedArticle | null;
    appealId: string;
    createdBy: string | null;
    at: Date;
    sourceEventId?: string;
  }): Promise<string | undefined> {
    return this.repo.transaction(async (tx) => {
      const organisation = await this.repo.organisation(input.organisationId, tx);
      if (!organisation) return undefined;
      const sectionId = await this.repo.sectionForTopic(organisation.id, input.topicId, tx);
      return this.insert(tx, {
        organisation,
        sectionId,
        articleId: null,
        kind: 'content',
        origin: input.origin,
        subject: input.subject,
        details: input.details,
        proposed: input.proposed,
        createdBy: input.createdBy,
        at: input.at,
        send: true,
        appealIds: [input.appealId],
        sourceEventId: input.sourceEventId,
      });
    });
  }

  async list(
    actor: KnowledgeActor,
    filter: {
      status?: ChangeRequestStatus[];
      origin?: ChangeRequestOrigin;
      organisationId?: string;
      appealId?: string;
      limit?: number;
    },
  ) {
    const rows = await this.repo.requests({ ...filter, scope: actor.scope, limit: filter.limit ?? 200 });
    return rows.map((r) => ({ ...r, statusName: REQUEST_STATUS_RU[r.status] }));
  }

  async get(actor: KnowledgeActor, id: string): Promise<RequestView> {
    const row = UUID.test(id) ? await this.repo.request(id) : undefined;
    if (!row || !canSeeOrganisation(actor.scope, row.organisationId)) throw notFoundError('Запрос не найден');
    const [history, marks] = await Promise.all([this.repo.requestHistory(id), this.repo.marksOf(id)]);
    return { ...row, statusName: REQUEST_STATUS_RU[row.status], history, marks };
  }

  /** The requester reworks a draft or a returned request. */
  async update(
    actor: KnowledgeActor,
    id: string,
    input: {
      subject?: string;
      details?: string | null;
      sectionId?: string;
      proposed?: CreateRequestInput['proposed'];
    },
  ): Promise<RequestView> {
    await this.step(actor, id, 'kb-request-update', async (tx, r, now) => {
      if (!['draft', 'returned'].includes(r.status))
        throw conflictError('Изменить можно формируемый или возвращённый запрос');
      if (!this.isRequester(actor, r)) throw forbiddenError('Запрос дорабатывает тот, кто его сформировал');
      if (input.sectionId && !(await this.sectionOf(input.sectionId, r.organisationId, tx))) {
        throw invalidInput('Раздел другой организации', { sectionId: 'Раздел другой организации' });
      }
      const proposed = input.proposed
        ? await this.proposed(actor, r.kind, input.proposed, r.articleId, tx)
        : undefined;
      await this.repo.updateRequest(
        id,
        {
          ...(input.subject !== undefined
            ? { subject: required(input.subject, 'subject', 'Укажите предмет изменений') }
            : {}),
          ...(input.details !== undefined ? { details: input.details?.trim() || null } : {}),
          ...(input.sectionId ? { sectionId: input.sectionId } : {}),
          ...(proposed !== undefined ? { proposed } : {}),
        },
        now,
        tx,
      );
      await this.repo.requestEvent(id, 'updated', actor.userId, now, {}, tx);
    });
    return this.get(actor, id);
  }

  /** S0 annex 2 п. 2.2: to the responsible person (again, after a return); the approval clock starts. */
  async send(actor: KnowledgeActor, id: string): Promise<RequestView> {
    await this.step(actor, id, 'kb-request-send', async (tx, r, now, org) => {
      if (!['draft', 'returned'].includes(r.status))
        throw conflictError('Запрос уже направлен на согласование');
      if (!this.isRequester(actor, r)) throw forbiddenError('Направляет запрос тот, кто его сформировал');
      if (r.kind === 'content' && !r.proposed && r.origin !== 'escalation') {
        throw invalidInput('Опишите изменения: текст статьи', { proposed: 'Нет текста изменений' });
      }
      const dueAt = requestStepDueAt('approval', now, r.kind, org);
      await this.repo.updateRequest(id, { status: 'sent', sentAt: now, approvalDueAt: dueAt }, now, tx);
      await this.repo.requestEvent(
        id,
        'sent',
        actor.userId,
        now,
        { approvalDueAt: dueAt, late: r.status === 'draft' && now > new Date(r.sendDueAt) },
        tx,
      );
    });
    return this.get(actor, id);
  }

  /**
   * The responsible person approves (S0 annex 2 п. 2.3), possibly with the final text (a gap request arrives
   * without one: the organisation writes the answer as it approves). The publication clock starts.
   */
  async approve(
    actor: KnowledgeActor,
    id: string,
    input: { comment?: string; proposed?: CreateRequestInput['proposed'] } = {},
  ): Promise<RequestView> {
    await this.step(actor, id, 'kb-request-approve', async (tx, r, now, org) => {
      if (r.status !== 'sent') throw conflictError('Согласовать можно запрос, направленный на согласование');
      if (!canApprove(actor, r.organisationId, r.responsibleUserId)) {
        throw forbiddenError('Согласует ответственное лицо организации или её руководитель');
      }
      const proposed = input.proposed
        ? await this.proposed(actor, r.kind, input.proposed, r.articleId, tx)
        : r.proposed;
      if (!proposed) {
        throw invalidInput('Для согласования нужен текст изменений', { proposed: 'Напишите текст статьи' });
      }
      // A new article from a gap may come without a section: the organisation's section for the topic, or a
      // new one named after the topic (the organisation owns it and may rename or move the article later).
      const sectionId =
        r.kind === 'content' && !r.articleId && !r.sectionId
          ? await this.sectionFor(tx, org, (proposed as ProposedArticle).topicId, now)
          : r.sectionId;
      const dueAt = requestStepDueAt('publication', now, r.kind, org);
      await this.repo.updateRequest(
        id,
        {
          status: 'approved',
          proposed,
          sectionId,
          decidedAt: now,
          decidedBy: actor.userId,
          decisionComment: input.comment?.trim() || null,
          publicationDueAt: dueAt,
        },
        now,
        tx,
      );
      await this.repo.requestEvent(
        id,
        'approved',
        actor.userId,
        now,
        {
          publicationDueAt: dueAt,
          late: r.approvalDueAt ? now > new Date(r.approvalDueAt) : false,
          edited: !!input.proposed,
        },
        tx,
      );
    });
    return this.get(actor, id);
  }

  /** The responsible person returns it for rework, with the reason (S0 annex 2 п. 2.3). */
  async return(actor: KnowledgeActor, id: string, comment: string): Promise<RequestView> {
    await this.step(actor, id, 'kb-request-return', async (tx, r, now) => {
      if (r.status !== 'sent') throw conflictError('Вернуть можно запрос, направленный на согласование');
      if (!canApprove(actor, r.organisationId, r.responsibleUserId)) {
        throw forbiddenError('Вернуть может ответственное лицо организации или её руководитель');
      }
      const reason = required(comment, 'comment', 'Укажите, что доработать');
      await this.repo.updateRequest(
        id,
        {
          status: 'returned',
          decidedAt: now,
          decidedBy: actor.userId,
          decisionComment: reason,
          approvalDueAt: null,
        },
        now,
        tx,
      );
      await this.repo.requestEvent(
        id,
        'returned',
        actor.userId,
        now,
        { comment: reason, late: r.approvalDueAt ? now > new Date(r.approvalDueAt) : false },
        tx,
      );
    });
    return this.get(actor, id);
  }

  /**
   * The management centre enters the approved change (S0 annex 2 п. 2.4): a new article or the next version of
   * one (every version kept), or the topic set marked entered. Late publication is recorded, not refused.
   */
  async publish(actor: KnowledgeActor, id: string): Promise<RequestView> {
    await this.step(actor, id, 'kb-request-publish', async (tx, r, now) => {
      if (r.status !== 'approved') throw conflictError('Внести можно только согласованный запрос');
      if (!canPublish(actor)) throw forbiddenError('Изменения в базу знаний вносит специалист ЦУР');
      let articleId: string | null = null;
      let version: number | null = null;
      if (r.kind === 'content') {
        const proposed = r.proposed as ProposedArticle;
        const { archive, ...content } = proposed;
        if (r.articleId) {
          articleId = r.articleId;
          version = await this.repo.publishVersion(
            r.articleId,
            {
              content: content as ArticleContent,
              archive: archive === true,
              publishedAt: now,
              publishedBy: actor.userId,
              changeRequestId: id,
            },
            tx,
          );
        } else {
          articleId = await this.repo.insertArticle(
            {
              sectionId: r.sectionId!,
              organisationId: r.organisationId,
              content: content as ArticleContent,
              publishedAt: now,
              publishedBy: actor.userId,
              changeRequestId: id,
            },
            tx,
          );
          version = 1;
        }
      }
      await this.repo.updateRequest(
        id,
        {
          status: 'published',
          publishedAt: now,
          publishedBy: actor.userId,
          ...(articleId ? { publishedArticleId: articleId, publishedVersion: version! } : {}),
        },
        now,
        tx,
      );
      await this.repo.requestEvent(
        id,
        'published',
        actor.userId,
        now,
        { articleId, version, late: r.publicationDueAt ? now > new Date(r.publicationDueAt) : false },
        tx,
      );
    });
    return this.get(actor, id);
  }

  async cancel(actor: KnowledgeActor, id: string, comment?: string): Promise<RequestView> {
    await this.step(actor, id, 'kb-request-cancel', async (tx, r, now) => {
      if (!OPEN_REQUEST_STATUSES.includes(r.status)) throw conflictError('Запрос уже закрыт');
      if (!this.isRequester(actor, r) && !canApprove(actor, r.organisationId, r.responsibleUserId)) {
        throw forbiddenError('Отозвать запрос может его автор или ответственное лицо');
      }
      await this.repo.updateRequest(id, { status: 'cancelled' }, now, tx);
      await this.repo.requestEvent(
        id,
        'cancelled',
        actor.userId,
        now,
        { comment: comment?.trim() || null },
        tx,
      );
    });
    return this.get(actor, id);
  }

  // — plumbing —

  private async step(
    actor: KnowledgeActor,
    id: string,
    action: string,
    work: (tx: EntityManager, r: RequestRow, now: Date, org: OrganisationRow) => Promise<void>,
  ): Promise<void> {
    const now = this.clock.now();
    const entry = { userId: actor.userId, action, entityType: 'kb-request', entityId: id };
    // A step's refusal is on record as denied: of rights (not the requester, not the responsible person) and of
    // scope (another organisation's request, the same 404 as none at all).
    await refusalOnRecord(this.audit, entry, () =>
      this.repo.transaction(async (tx) => {
        const r = UUID.test(id) ? await this.repo.request(id, tx, true) : undefined;
        if (
          !r ||
          !(canSeeOrganisation(actor.scope, r.organisationId) || canRequestChange(actor, r.organisationId))
        ) {
          throw notFoundError('Запрос не найден');
        }
        const org = (await this.repo.organisation(r.organisationId, tx))!;
        await work(tx, r, now, org);
      }),
    );
    await this.audit.record(entry);
  }

  private async insert(
    tx: EntityManager,
    input: {
      organisation: OrganisationRow;
      sectionId: string | null;
      articleId: string | null;
      kind: ChangeRequestKind;
      origin: ChangeRequestOrigin;
      subject: string;
      details: string | null;
      proposed: ProposedArticle | ProposedTopicSet | null;
      createdBy: string | null;
      at: Date;
      send: boolean;
      appealIds: string[];
      sourceEventId?: string;
    },
  ): Promise<string> {
    const org = input.organisation;
    const approvalDue = input.send ? requestStepDueAt('approval', input.at, input.kind, org) : null;
    const id = await this.repo.insertRequest(
      {
        organisationId: org.id,
        sectionId: input.sectionId,
        articleId: input.articleId,
        kind: input.kind,
        origin: input.origin,
        status: input.send ? 'sent' : 'draft',
        subject: input.subject,
        details: input.details,
        proposed: input.proposed,
        createdBy: input.createdBy,
        createdAt: input.at,
        sendDueAt: sendDueAt(input.at, org),
        sentAt: input.send ? input.at : null,
        approvalDueAt: approvalDue,
        sourceEventId: input.sourceEventId ?? null,
      },
      tx,
    );
    if (!id) return '';
    for (const appealId of input.appealIds) await this.repo.linkAppeal(id, appealId, input.at, tx);
    await this.repo.requestEvent(id, 'created', input.createdBy, input.at, { origin: input.origin }, tx);
    if (input.send) {
      await this.repo.requestEvent(
        id,
        'sent',
        input.createdBy,
        input.at,
        { approvalDueAt: approvalDue, late: false },
        tx,
      );
    }
    return id;
  }

  private async target(input: CreateRequestInput, tx: EntityManager) {
    let organisationId = input.organisationId;
    let sectionId = input.sectionId ?? null;
    const articleId = input.articleId ?? null;
    if (articleId) {
      const article = UUID.test(articleId) ? await this.repo.articleContent(articleId, tx) : undefined;
      if (!article) throw invalidInput('Статья не найдена', { articleId: 'Статья не найдена' });
      organisationId = article.organisationId;
      sectionId ??= article.sectionId;
    }
    if (sectionId) {
      const section = UUID.test(sectionId) ? await this.repo.section(sectionId, tx) : undefined;
      if (!section) throw invalidInput('Раздел не найден', { sectionId: 'Раздел не найден' });
      if (organisationId && section.organisationId !== organisationId) {
        throw invalidInput('Раздел другой организации', { sectionId: 'Раздел другой организации' });
      }
      organisationId = section.organisationId;
    }
    const organisation =
      organisationId && UUID.test(organisationId)
        ? await this.repo.organisation(organisationId, tx)
        : undefined;
    if (!organisation)
      throw invalidInput('Укажите организацию', { organisationId: 'Организация не найдена' });
    return { organisation, sectionId, articleId };
  }

  /** The proposed content, checked: an article's rules and that its topic, links and attachments exist. */
  private async proposed(
    actor: KnowledgeActor,
    kind: ChangeRequestKind,
    input: NonNullable<CreateRequestInput['proposed']>,
    articleId: string | null,
    tx: EntityManager,
  ): Promise<ProposedArticle | ProposedTopicSet> {
    if (kind === 'topic-set') return normaliseTopicSet(input as { topics?: { name?: string }[] });
    const content = normaliseArticle(input as ArticleInput);
    if (content.topicId && !(await this.repo.topicExists(content.topicId, tx))) {
      throw invalidInput('Тема не найдена в рубрикаторе', { topicId: 'Неизвестная тема' });
    }
    const links = content.links.filter((l) => l !== articleId);
    if ((await this.repo.existingArticles(links, tx)).length !== links.length) {
      throw invalidInput('Ссылка на несуществующую статью', { links: 'Статья не найдена' });
    }
    // Only files the actor may read themself (GET knowledge/attachments/:id): another organisation's draft file,
    // named here by its id, was published with the article and so opened to every member of staff.
    const readable = (await this.repo.existingAttachments(content.attachmentIds, tx)).filter(
      (f) =>
        f.published || f.uploadedBy === actor.userId || canSeeOrganisation(actor.scope, f.organisationId),
    );
    if (readable.length !== content.attachmentIds.length) {
      throw invalidInput('Вложение не найдено', { attachmentIds: 'Вложение не найдено' });
    }
    return { ...content, links };
  }

  private async sectionFor(
    tx: EntityManager,
    org: OrganisationRow,
    topicId: string | null,
    now: Date,
  ): Promise<string> {
    const existing = await this.repo.sectionForTopic(org.id, topicId, tx);
    if (existing) return existing;
    const topic = topicId ? await this.repo.topic(topicId, tx) : undefined;
    const title = topic?.name ?? 'Общие вопросы';
    return (
      (await this.repo.sectionByTitle(org.id, title, tx)) ??
      this.repo.insertSection(
        {
          organisationId: org.id,
          topicId: topic?.id ?? null,
          title,
          description: null,
          responsibleUserId: null,
          createdAt: now,
          lastReviewedAt: now,
          reviewDueAt: reviewDueAt(now, org),
        },
        tx,
      )
    );
  }

  private async sectionOf(sectionId: string, organisationId: string, tx: EntityManager) {
    const section = UUID.test(sectionId) ? await this.repo.section(sectionId, tx) : undefined;
    return section?.organisationId === organisationId ? section : undefined;
  }

  private isRequester(actor: KnowledgeActor, r: RequestRow): boolean {
    if (r.createdBy === actor.userId) return true;
    // A request the system formed (a gap) is worked by the organisation; one by the centre, by the centre.
    if (r.origin === 'management-centre') return actor.organisationKind === 'management-centre';
    return canManageSections(actor, r.organisationId);
  }
}

function required(value: string | undefined | null, field: string, message: string): string {
  const text = value?.trim() ?? '';
  if (text.length < 3) throw invalidInput(message, { [field]: message });
  if (text.length > 1000) throw invalidInput('Слишком длинно', { [field]: 'Не длиннее 1000 символов' });
  return text;
}
