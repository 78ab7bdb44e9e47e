import { Inject, Injectable } from '@nestjs/common';
import { AuditLog, refusedOnRecord } from '@inbox/access';
import { jaccard, wordShingles } from '@inbox/text-classifier';
import { Clock, conflictError, forbiddenError, notFoundError, rootLogger } from '@inbox/common';
import { appealInScope } from './appeal-in-scope';
import { normaliseArticle } from './knowledge-content';
import { canRequestChange, type KnowledgeActor } from './knowledge-policy';
import { KnowledgeRepository } from './knowledge.repository';
import { KnowledgeRequests } from './knowledge-requests.service';
import { ArticleKind, OPEN_REQUEST_STATUSES, type ProposedArticle } from './knowledge.types';

/** The flag an escalation carries in its history event when line 1 found no answer in the KB (S1 п. 10). */
export const KNOWLEDGE_GAP_FLAG = 'knowledgeBaseGap';

/** An appeal history event as the appeal-event hooks deliver it. */
export interface HistoryEventInput {
  id: string;
  appealId: string;
  type: string;
  data: Record<string, unknown>;
  occurredAt: Date;
}

/** Below this text rank the best article of the topic's owner does not answer the question. */
export const COVERED_RANK = 0.05;
/** Two questions are "the same" from this word 3-gram Jaccard (paraphrases: lower than an incident's). */
export const REPEATED_SIMILARITY = 0.25;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface RepeatedQuestion {
  key: string;
  reason: 'no-article-for-topic' | 'similar-questions';
  organisationId: string;
  organisationName: string;
  topicId: string;
  topicName: string;
  count: number;
  appealIds: string[];
  samples: { id: string; registrationNumber: string; subject: string | null }[];
  suggestedSubject: string;
}

/**
 * Gaps in the knowledge base become requests (R8): an escalation because the KB had no answer (from the appeal
 * history, via the appeal-event hooks), a clerk's "worth adding" on an answer, and repeated questions without an
 * article found in the appeals stream (grouped with the incidents' similarity functions).
 */
@Injectable()
export class KnowledgeGaps {
  private readonly log = rootLogger.child('knowledge-gaps');

  constructor(
    @Inject(KnowledgeRepository) private readonly repo: KnowledgeRepository,
    @Inject(KnowledgeRequests) private readonly requests: KnowledgeRequests,
    @Inject(AuditLog) private readonly audit: AuditLog,
    @Inject(Clock) private readonly clock: Clock,
  ) {}

  /**
   * An 'escalated' history event flagged "no answer in the KB": one request per organisation it went to, sent
   * to that organisation's responsible person, with the appeal linked. Idempotent per event and organisation
   * (the hooks deliver at least once). Returns how many requests were created.
   */
  async onEscalated(event: HistoryEventInput): Promise<number> {
    if (event.type !== 'escalated' || event.data[KNOWLEDGE_GAP_FLAG] !== true) return 0;
    const organisationIds = (
      Array.isArray(event.data.organisationIds) ? event.data.organisationIds : []
    ).filter((id): id is string => typeof id === 'string' && UUID.test(id));
    const request = (event.data.request ?? {}) as {
      topicId?: string;
      subject?: string;
      registrationNumber?: string;
    };
    const topicId =
      typeof request.topicId === 'string' && UUID.test(request.topicId) ? request.topicId : null;
    const topic = topicId ? await this.repo.topic(topicId) : undefined;
    const subject = typeof request.subject === 'string' ? request.subject.trim().slice(0, 300) : '';
    let created = 0;
    for (const organisationId of organisationIds) {
      const id = await this.requests.createFromGap({
        organisationId,
        topicId,
        origin: 'escalation',
        subject: `Нет ответа в базе знаний${topic ? ` (${topic.name})` : ''}: ${subject || 'вопрос гражданина'}`,
        details:
          `Оператор 1-й линии передал обращение № ${request.registrationNumber ?? '—'} на 2-ю линию, потому что ` +
          'в базе знаний не нашлось ответа (S1 п. 10). Подготовьте ответ на такой вопрос для базы знаний.',
        proposed: null,
        appealId: event.appealId,
        createdBy: null,
        at: new Date(event.occurredAt),
        sourceEventId: event.id,
      });
      if (id) created++;
    }
    if (created > 0)
      this.log.info('knowledge gap requests from an escalation', { eventId: event.id, created });
    return created;
  }

  /**
   * A clerk marks an answer "worth adding to the KB": a request for the answering organisation with an FAQ draft
   * (the appeal's subject as the question, the answer without its salutation) and the appeal linked.
   */
  async worthAdding(actor: KnowledgeActor, appealId: string, input: { answerId?: string; comment?: string }) {
    const appeal = await appealInScope(
      { repo: this.repo, audit: this.audit },
      appealId,
      actor,
      'kb-worth-adding',
    );
    const answer =
      input.answerId && UUID.test(input.answerId)
        ? await this.repo.answerOf(appeal.id, input.answerId)
        : undefined;
    if (input.answerId && !answer) throw notFoundError('Ответ не найден');
    const organisationId = answer?.organisationId ?? actor.organisationId;
    if (!canRequestChange(actor, organisationId)) {
      // Another organisation's answer on an appeal the caller shares: a refusal of scope, on record.
      await refusedOnRecord(
        this.audit,
        {
          userId: actor.userId,
          action: 'kb-worth-adding',
          entityType: 'appeal',
          entityId: appeal.id,
          details: { organisationId },
        },
        forbiddenError('Предложить можно для своей организации'),
      );
    }
    const open = await this.repo.requests({
      scope: actor.scope,
      appealId: appeal.id,
      organisationId,
      origin: 'worth-adding',
      status: [...OPEN_REQUEST_STATUSES],
      limit: 1,
    });
    if (open.length > 0) throw conflictError(`По этому обращению уже есть запрос БЗ-${open[0].number}`);
    const id = await this.requests.createFromGap({
      organisationId,
      topicId: appeal.subtopicId ?? appeal.topicId,
      origin: 'worth-adding',
      subject: `Добавить в базу знаний: ${appeal.subject ?? appeal.text.slice(0, 120)}`,
      details: [
        `Ответ по обращению № ${appeal.registrationNumber} стоит добавить в базу знаний.`,
        input.comment?.trim(),
        'Перед согласованием уберите из текста персональные данные заявителя.',
      ]
        .filter(Boolean)
        .join('\n'),
      proposed: answer ? this.faqDraft(appeal, answer.text) : null,
      appealId: appeal.id,
      createdBy: actor.userId,
      at: this.clock.now(),
    });
    await this.audit.record({
      userId: actor.userId,
      action: 'kb-worth-adding',
      entityType: 'appeal',
      entityId: appeal.id,
      details: { requestId: id },
    });
    return this.requests.get(actor, id!);
  }

  /**
   * Repeated questions without an article: recent appeals in the scope whose topic's owner has no article that
   * answers them (by text rank), grouped per owner and topic — all of them when the owner has no article for
   * the topic at all, else by incident or by near-identical wording — and kept when the group is big enough.
   */
  async repeatedQuestions(
    actor: KnowledgeActor,
    options: { days?: number; minAppeals?: number; limit?: number } = {},
  ): Promise<RepeatedQuestion[]> {
    const now = this.clock.now();
    const days = Math.min(Math.max(options.days ?? 30, 1), 365);
    const minAppeals = Math.max(options.minAppeals ?? 3, 2);
    const rows = await this.repo.recentAppealsWithCoverage({
      scope: actor.scope,
      since: new Date(now.getTime() - days * 86_400_000),
      until: now,
      limit: 3000,
    });
    const uncovered = rows.filter((r) => !r.served && r.coverage < COVERED_RANK);
    const byTopic = new Map<string, typeof uncovered>();
    for (const row of uncovered) {
      const key = `${row.ownerId}|${row.topicId}`;
      byTopic.set(key, [...(byTopic.get(key) ?? []), row]);
    }
    const out: RepeatedQuestion[] = [];
    for (const [key, group] of byTopic) {
      if (group.length < minAppeals) continue;
      const [ownerId, topicId] = key.split('|');
      const hasArticles = (await this.repo.topicArticleCount(ownerId, topicId)) > 0;
      const clusters = hasArticles ? clusterBySimilarity(group) : [group];
      for (const cluster of clusters) {
        if (cluster.length < minAppeals) continue;
        const first = cluster[0];
        out.push({
          key: `${key}|${first.id}`,
          reason: hasArticles ? 'similar-questions' : 'no-article-for-topic',
          organisationId: ownerId,
          organisationName: first.ownerName,
          topicId,
          topicName: first.topicName,
          count: cluster.length,
          appealIds: cluster.slice(0, 50).map((c) => c.id),
          samples: cluster
            .slice(0, 3)
            .map((c) => ({ id: c.id, registrationNumber: c.registrationNumber, subject: c.subject })),
          suggestedSubject: `${first.topicName}: ${mostCommon(cluster.map((c) => c.subject ?? '')) || 'повторяющийся вопрос'}`,
        });
      }
    }
    return out.sort((a, b) => b.count - a.count).slice(0, options.limit ?? 20);
  }

  private faqDraft(
    appeal: { subject: string | null; text: string; topicId: string | null; subtopicId: string | null },
    answerText: string,
  ): ProposedArticle | null {
    // The salutation names the applicant: leave it out of a draft meant for everyone.
    const body = answerText.replace(/^\s*(уважаем[а-яё()]*[^\n!]*[!,.]?)\s*/iu, '').trim();
    const question = (appeal.subject ?? appeal.text.split(/(?<=[.?!])\s/u)[0] ?? '').trim().slice(0, 500);
    try {
      return normaliseArticle({
        kind: ArticleKind.Faq,
        title: question.slice(0, 120),
        question,
        body,
        topicId: appeal.subtopicId ?? appeal.topicId,
      });
    } catch {
      // Too short to be an article: the organisation writes it while approving.
      return null;
    }
  }
}

/** Union-find over the group: the same incident, or wording at least REPEATED_SIMILARITY alike. */
function clusterBySimilarity<
  T extends { id: string; subject: string | null; text: string; incidentId: string | null },
>(rows: T[]): T[][] {
  const parent = rows.map((_, i) => i);
  const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i])));
  const shingles = rows.map((r) => wordShingles(`${r.subject ?? ''}\n${r.text}`));
  for (let i = 0; i < rows.length; i++) {
    for (let j = i + 1; j < rows.length; j++) {
      const sameIncident = rows[i].incidentId !== null && rows[i].incidentId === rows[j].incidentId;
      if (sameIncident || jaccard(shingles[i], shingles[j]) >= REPEATED_SIMILARITY) parent[find(i)] = find(j);
    }
  }
  const groups = new Map<number, T[]>();
  rows.forEach((r, i) => groups.set(find(i), [...(groups.get(find(i)) ?? []), r]));
  return [...groups.values()].sort((a, b) => b.length - a.length);
}

function mostCommon(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values.filter(Boolean)) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
}
