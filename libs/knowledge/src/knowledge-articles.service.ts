import { Inject, Injectable } from '@nestjs/common';
import { AuditLog, refusedOnRecord, Role } from '@inbox/access';
import {
  type Actor,
  applicantValues,
  AppealWorkflow,
  PLACEHOLDER_NAMES,
  previewExcerpt,
  renderTemplate,
  russianDate,
  type TemplateValues,
} from '@inbox/appeals';
import { Clock, conflictError, forbiddenError, foundById, invalidInput, UUID } from '@inbox/common';
import { russianLocalDate } from '@inbox/deadlines';
import { appealInScope } from './appeal-in-scope';
import { type KnowledgeActor } from './knowledge-policy';
import { type ArticleSummary, KnowledgeRepository, type SearchHit } from './knowledge.repository';
import { ARTICLE_KIND_RU, ArticleKind, INSERTABLE_KINDS } from './knowledge.types';

export const MAX_QUERY_CHARS = 5000;
/** What the suggestions list (everything but the scripts, which are listed apart). */
export const SUGGESTION_KINDS: readonly ArticleKind[] = [
  ArticleKind.Template,
  ArticleKind.Faq,
  ArticleKind.LegalAct,
  ArticleKind.Service,
  ArticleKind.Schedule,
  ArticleKind.Contacts,
  ArticleKind.SolvedExample,
];

export interface Suggestions {
  /** Articles matching the text and topic, best first. */
  articles: (SearchHit & { kindName: string; insertable: boolean })[];
  /** Greeting, call and farewell scripts for the topic (shown to line 1 during a call). */
  scripts: (SearchHit & { kindName: string })[];
}

/**
 * Reading and using the knowledge base: browse, Russian full-text search ranked with the topic, suggestions for
 * an appeal or a call being registered, a template filled for an appeal's answer draft, and "answered on the
 * spot from this article" that closes a call on line 1. Every use is counted per article.
 */
@Injectable()
export class KnowledgeArticles {
  constructor(
    @Inject(KnowledgeRepository) private readonly repo: KnowledgeRepository,
    @Inject(AppealWorkflow) private readonly workflow: AppealWorkflow,
    @Inject(AuditLog) private readonly audit: AuditLog,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  private get scoped() {
    return { repo: this.repo, audit: this.audit };
  }

  async browse(filter: {
    organisationId?: string;
    sectionId?: string;
    topicId?: string;
    kind?: string;
    includeArchived?: boolean;
    limit?: number;
  }): Promise<(ArticleSummary & { kindName: string })[]> {
    const rows = await this.repo.articles({
      ...filter,
      limit: Math.min(Math.max(filter.limit ?? 200, 1), 500),
    });
    return rows.map(withKindName);
  }

  async search(query: {
    q: string;
    topicId?: string;
    organisationId?: string;
    kinds?: string[];
    limit?: number;
  }): Promise<(SearchHit & { kindName: string })[]> {
    const text = query.q.trim().slice(0, MAX_QUERY_CHARS);
    if (!text && !query.topicId)
      throw invalidInput('Введите вопрос или выберите тему', { q: 'Пустой запрос' });
    const rows = await this.repo.search({
      text,
      topicId: query.topicId ?? null,
      organisationId: query.organisationId ?? null,
      kinds: query.kinds,
      limit: query.limit ?? 20,
    });
    return rows.map(withKindName);
  }

  /** For the call-registration screen: what the operator hears (free text) and the topic once chosen. */
  async suggest(input: { text: string; topicId?: string | null; limit?: number }): Promise<Suggestions> {
    const text = input.text.trim().slice(0, MAX_QUERY_CHARS);
    let preferOrganisationId: string | null = null;
    if (input.topicId) preferOrganisationId = await this.topicOwner(input.topicId);
    const found = await this.suggestions(text, input.topicId ?? null, preferOrganisationId, input.limit ?? 8);
    // No appeal yet: a template's placeholders are named in Russian («[имя заявителя]»), not shown as code.
    return { ...found, articles: found.articles.map((a) => ({ ...a, excerpt: previewExcerpt(a.excerpt) })) };
  }

  /** For the appeal card: the appeal's subject and text with its subtopic (else topic); its owner first. */
  async suggestForAppeal(appealId: string, actor: KnowledgeActor, limit = 8): Promise<Suggestions> {
    const appeal = await appealInScope(this.scoped, appealId, actor, 'kb-suggestions');
    const text = `${appeal.subject ?? ''}\n${appeal.text}`.slice(0, MAX_QUERY_CHARS);
    const found = await this.suggestions(
      text,
      appeal.subtopicId ?? appeal.topicId,
      appeal.topicOwnerId ?? appeal.organisationId,
      limit,
    );
    // A template's preview reads as it will be inserted: its placeholders filled from this appeal (one the
    // excerpt's cut split left out, not shown as its code — also where no whole placeholder is left to fill:
    // a cut that kept only «registrationDate}}» showed it on the card).
    const values = found.articles.some((a) => a.excerpt.includes('{{'))
      ? await this.templateValues(appeal, actor, 'kb-preview')
      : undefined;
    return {
      ...found,
      articles: found.articles.map((a) => ({ ...a, excerpt: previewExcerpt(a.excerpt, values) })),
    };
  }

  /**
   * Fills a template's placeholders from the appeal, for insertion and for the card's previews alike. The
   * applicant's name is personal data, so the read is audited.
   */
  private async templateFiller(
    appeal: Awaited<ReturnType<typeof appealInScope>>,
    actor: KnowledgeActor,
    purpose: string,
    articleId?: string,
  ): Promise<(text: string) => string> {
    const values = await this.templateValues(appeal, actor, purpose, articleId);
    return (text) => renderTemplate(text, values);
  }

  /** The appeal's values for a template's placeholders (the applicant's name read is audited). */
  private async templateValues(
    appeal: Awaited<ReturnType<typeof appealInScope>>,
    actor: KnowledgeActor,
    purpose: string,
    articleId?: string,
  ): Promise<TemplateValues> {
    const organisation = await this.repo.organisation(actor.organisationId);
    return {
      ...(await this.applicantPart(appeal, actor, purpose, articleId)),
      registrationNumber: appeal.registrationNumber,
      registrationDate: russianDate(appeal.registeredAt, appeal.timeZone),
      organisation: organisation?.shortName ?? '',
      answerDueDate: russianLocalDate(appeal.answerDueDate),
    };
  }

  /**
   * The applicant's name for a template, its read audited; an administrator runs the system, not appeals, and
   * never gets it (as on the card): the placeholder is named instead, «[имя заявителя]».
   */
  private async applicantPart(
    appeal: Awaited<ReturnType<typeof appealInScope>>,
    actor: KnowledgeActor,
    purpose: string,
    articleId?: string,
  ): Promise<Pick<TemplateValues, 'applicantName' | 'greeting'>> {
    if (actor.role === Role.Admin) return { applicantName: `[${PLACEHOLDER_NAMES.applicantName}]` };
    const applicant = await this.repo.applicantNameOf(appeal.id);
    await this.audit.record({
      userId: actor.userId,
      action: 'read-applicant',
      entityType: 'appeal',
      entityId: appeal.id,
      details: { fields: ['applicant.name'], purpose, ...(articleId ? { articleId } : {}) },
    });
    return applicantValues(applicant ?? {});
  }

  async article(id: string) {
    return withKindName(await foundById(id, (aid) => this.repo.article(aid), 'Статья не найдена'));
  }

  async versions(id: string) {
    await this.article(id);
    return this.repo.versions(id);
  }

  /**
   * The article's text for an answer draft: a template's placeholders filled from the appeal (the applicant's
   * name is personal data, so the read is audited), an FAQ's answer as it is. Counted as a use of the article.
   */
  async renderForAppeal(articleId: string, appealId: string, actor: KnowledgeActor) {
    const appeal = await appealInScope(this.scoped, appealId, actor, 'kb-insert');
    const article = await this.article(articleId);
    if (article.status !== 'published') throw conflictError('Статья снята с публикации');
    if (!INSERTABLE_KINDS.includes(article.kind)) {
      throw invalidInput('В ответ вставляются шаблоны и ответы на частые вопросы', {
        articleId: 'Не шаблон',
      });
    }
    let text = article.body;
    if (text.includes('{{')) {
      text = (await this.templateFiller(appeal, actor, 'kb-template', articleId))(text);
    }
    await this.repo.recordUse({
      articleId,
      version: article.version,
      kind: 'inserted',
      appealId: appeal.id,
      userId: actor.userId,
      at: this.clock.now(),
    });
    return { articleId, version: article.version, kind: article.kind, text };
  }

  /**
   * Line 1 answered the caller on the spot from this article (S1 п. 9: line 1 answers from the KB): the call is
   * closed and the article counted. Only a call or visit registered by line 1 and still with line 1.
   */
  async answeredOnTheSpot(appealId: string, articleId: string, actor: KnowledgeActor) {
    // Not an administrator: closing the call is working the appeal (the close command refuses them too).
    if (![Role.Operator, Role.Supervisor].includes(actor.role)) {
      // A refusal of rights, on record like the KB's others (the appeal and the article, ids only).
      await refusedOnRecord(
        this.audit,
        {
          userId: actor.userId,
          action: 'kb-answered-on-the-spot',
          entityType: 'appeal',
          entityId: appealId,
          details: { articleId },
        },
        forbiddenError('Ответ на месте даёт оператор 1-й линии'),
      );
    }
    const appeal = await appealInScope(this.scoped, appealId, actor, 'kb-answered-on-the-spot');
    const article = await this.article(articleId);
    if (article.status !== 'published') throw conflictError('Статья снята с публикации');
    if (appeal.channel !== 'operator' || appeal.line !== 1) {
      throw conflictError('На месте закрывается звонок или личный приём, который ещё на 1-й линии');
    }
    const now = this.clock.now();
    const workflowActor: Actor = {
      userId: actor.userId,
      role: actor.role,
      organisationId: actor.organisationId,
      scope: actor.scope,
    };
    await this.workflow.close(appeal.id, workflowActor, undefined, now);
    await this.repo.recordUse({
      articleId,
      version: article.version,
      kind: 'answered-on-the-spot',
      appealId: appeal.id,
      userId: actor.userId,
      at: now,
    });
    await this.audit.record({
      userId: actor.userId,
      action: 'kb-answered-on-the-spot',
      entityType: 'appeal',
      entityId: appeal.id,
      details: { articleId, version: article.version },
    });
    return { appealId: appeal.id, articleId, version: article.version, status: 'closed' as const };
  }

  /** Which articles served an appeal (inserted into a draft, answered on the spot). */
  async usesOfAppeal(appealId: string, actor: KnowledgeActor) {
    const appeal = await appealInScope(this.scoped, appealId, actor, 'kb-uses');
    return this.repo.usesOfAppeal(appeal.id);
  }

  private async suggestions(
    text: string,
    topicId: string | null,
    preferOrganisationId: string | null,
    limit: number,
  ): Promise<Suggestions> {
    if (!text.trim() && !topicId) return { articles: [], scripts: [] };
    const [articles, topicScripts, general] = await Promise.all([
      this.repo.search({
        text,
        topicId,
        preferOrganisationId,
        kinds: SUGGESTION_KINDS,
        limit: Math.min(limit, 30),
      }),
      this.repo.search({ text, topicId, preferOrganisationId, kinds: [ArticleKind.CallScript], limit: 3 }),
      this.repo.generalScripts(),
    ]);
    // The topic's call scripts between the greeting and the farewell, as the call goes.
    const greeting = general.filter((s) => s.kind === ArticleKind.GreetingScript);
    const farewell = general.filter((s) => s.kind !== ArticleKind.GreetingScript);
    const calls = topicScripts.filter((s) => !general.some((g) => g.id === s.id));
    return {
      articles: articles.map((a) => ({ ...withKindName(a), insertable: INSERTABLE_KINDS.includes(a.kind) })),
      scripts: [...greeting, ...calls, ...farewell].map(withKindName),
    };
  }

  private async topicOwner(topicId: string): Promise<string | null> {
    const topic = UUID.test(topicId) ? await this.repo.topic(topicId) : undefined;
    if (!topic) throw invalidInput('Неизвестная тема', { topicId: 'Неизвестная тема' });
    return topic.defaultOrganisationId;
  }
}

function withKindName<T extends { kind: ArticleKind }>(row: T): T & { kindName: string } {
  return { ...row, kindName: ARTICLE_KIND_RU[row.kind] ?? row.kind };
}
