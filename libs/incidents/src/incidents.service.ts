import { Injectable } from '@nestjs/common';
import { type AccessScope, AuditLog, Role } from '@inbox/access';
import {
  type Actor,
  AppealHistoryRepository,
  AppealsRepository,
  AppealWorkflow,
  WorkflowError,
} from '@inbox/appeals';
import {
  conflictError,
  decodeTimeIdCursor,
  encodeCursor,
  forbiddenError,
  invalidInput,
  notFoundError,
  rootLogger,
  UUID,
} from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { Transactions } from '@inbox/database';
import { addressKey, jaccard, minHashBands, tokenize, wordShingles } from '@inbox/text-classifier';
import {
  type IncidentAppeal,
  type IncidentDetail,
  IncidentsRepository,
  type IncidentSummary,
} from './incidents.repository';

/** Texts shorter than this ("Спасибо!", "Когда?") say too little to be grouped by their words. */
export const MIN_WORDS_FOR_TEXT_MATCH = 6;
const CANDIDATES = 200;
export const MAX_INCIDENT_ANSWER = 10_000;

/** Appeal statuses that take no more answers. */
const DONE = ['answered', 'closed', 'redirected'];
/** Who approves an incident's answer (and so sends it to every citizen). */
const APPROVERS: readonly Role[] = [Role.Head, Role.Supervisor, Role.Admin];
const NOT_FOUND = 'Инцидент не найден';
const ALREADY_ANSWERED = 'На инцидент уже дан ответ или он закрыт';

export interface ClusterInput {
  id: string;
  registeredAt: Date;
  topicId: string | null;
  subject: string | null;
  text: string;
  address: string | null;
}

/** What one step of answering an incident did: per appeal, done, passed over, or refused by the workflow. */
export interface IncidentStepResult {
  incidentId: string;
  skipped: number;
  failed: { appealId: string; message: string }[];
}

type MatchBy = 'text' | 'address';

/**
 * Incidents: many items about one problem — near-identical texts (word 3-gram Jaccard, candidates found
 * through MinHash LSH bands), or the same normalised address and topic — within a time window, whatever
 * channel they came by. There is no global lock: an item locks only its own buckets (each LSH band, and its
 * address within its topic), so two items that could match each other — they share a band or an address
 * bucket — are grouped one after the other, while unrelated items are grouped in parallel. The matched
 * appeals' rows are then locked and read again, so that two items grouped at once that both match a third
 * join one incident instead of splitting it.
 *
 * An incident is answered once, by two people, through the ordinary workflow: one staff member drafts the
 * answer (a draft per open appeal, authored by them and linked to the incident), and another — a head, a
 * supervisor or an administrator, never the author — approves it, which approves and sends every draft,
 * so each citizen gets it through the channel they wrote by.
 */
@Injectable()
export class Incidents {
  private readonly log = rootLogger.child('incidents');

  constructor(
    private readonly repository: IncidentsRepository,
    private readonly transactions: Transactions,
    private readonly history: AppealHistoryRepository,
    private readonly appeals: AppealsRepository,
    private readonly config: AppConfig,
    private readonly workflow: AppealWorkflow,
    private readonly audit: AuditLog,
  ) {}

  async cluster(a: ClusterInput): Promise<{ incidentId: string; created: boolean } | undefined> {
    const fullText = a.subject ? `${a.subject}.\n${a.text}` : a.text;
    const shingles = wordShingles(fullText);
    const bands = tokenize(fullText).length >= MIN_WORDS_FOR_TEXT_MATCH ? minHashBands(shingles) : [];
    const address = addressKey(a.address) ?? null;
    const windowMs = this.config.incidentWindowHours * 3_600_000;
    const from = new Date(a.registeredAt.getTime() - windowMs);
    const to = new Date(a.registeredAt.getTime() + windowMs);
    return this.transactions.run(async (tx) => {
      await this.repository.lockBuckets(tx, clusterBuckets(bands, address, a.topicId));
      await this.repository.saveClusterKey(tx, {
        appealId: a.id,
        registeredAt: a.registeredAt,
        topicId: a.topicId,
        addressKey: address,
        bands,
      });
      const me = await this.repository.lockAppealIncident(tx, a.id);
      if (!me || me.incidentId) return undefined;

      const matches = new Map<
        string,
        { by: MatchBy; similarity?: number; incidentId: string | null; open: boolean }
      >();
      if (bands.length > 0) {
        const candidates = await this.repository.textCandidates(tx, {
          bands,
          appealId: a.id,
          from,
          to,
          limit: CANDIDATES,
        });
        for (const c of candidates) {
          const similarity = jaccard(shingles, wordShingles(c.subject ? `${c.subject}.\n${c.text}` : c.text));
          if (similarity < this.config.incidentSimilarity) continue;
          matches.set(c.id, {
            by: 'text',
            similarity: Math.round(similarity * 1000) / 1000,
            incidentId: c.incident_id,
            open: c.status === 'open',
          });
        }
      }
      if (address && a.topicId) {
        const sameAddress = await this.repository.addressCandidates(tx, {
          addressKey: address,
          topicId: a.topicId,
          appealId: a.id,
          from,
          to,
          limit: CANDIDATES,
        });
        for (const c of sameAddress) {
          if (!matches.has(c.id)) {
            matches.set(c.id, { by: 'address', incidentId: c.incident_id, open: c.status === 'open' });
          }
        }
      }
      if (matches.size === 0) return undefined;
      // Another item may have grouped a match a moment ago (it shares a bucket with the match, not with
      // us): lock the matches and read their incidents again, so that we join it rather than split it.
      for (const c of await this.repository.lockMatches(tx, [...matches.keys()])) {
        const m = matches.get(c.id)!;
        m.incidentId = c.incident_id;
        m.open = c.status === 'open';
      }

      const openIds = [...new Set([...matches.values()].filter((m) => m.open).map((m) => m.incidentId!))];
      const created = openIds.length === 0;
      const incidentId = created
        ? await this.repository.create(tx, {
            title: incidentTitle(a),
            topicId: a.topicId,
            addressKey: address,
            at: a.registeredAt,
          })
        : await this.repository.latest(tx, openIds);
      // A new incident gathers the matches that belong to none; an open one is joined by this item alone.
      const joining = created
        ? [...matches.entries()].filter(([, m]) => !m.incidentId).map(([id]) => id)
        : [];
      const linked = await this.appeals.linkToIncident(tx, incidentId, [a.id, ...joining]);
      for (const id of linked) {
        const m = id === a.id ? bestMatch(matches) : matches.get(id);
        await this.history.append(tx, id, 'incident-linked', null, {
          incidentId,
          by: m?.by ?? 'text',
          ...(m?.similarity !== undefined ? { similarity: m.similarity } : {}),
        });
      }
      await this.repository.refreshCounts(tx, incidentId, a.topicId);
      return { incidentId, created };
    });
  }

  async list(
    filter: { status?: string; limit?: number; cursor?: string },
    scope: AccessScope,
  ): Promise<{ items: IncidentSummary[]; nextCursor: string | null }> {
    const limit = Math.min(Math.max(filter.limit ?? 50, 1), 200);
    const before = filter.cursor ? decodeTimeIdCursor(filter.cursor) : undefined;
    const rows = await this.repository.list({ status: filter.status, before, limit: limit + 1 }, scope);
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map(({ cursorAt: _cursorAt, ...item }) => item),
      nextCursor: rows.length > limit && last ? encodeCursor([last.cursorAt, last.id]) : null,
    };
  }

  async get(id: string, scope: AccessScope): Promise<IncidentDetail & { appeals: IncidentAppeal[] }> {
    if (!UUID.test(id)) throw notFoundError(NOT_FOUND);
    const incident = await this.repository.find(id);
    if (!incident) throw notFoundError(NOT_FOUND);
    const appeals = await this.repository.appeals(id, scope);
    if (scope.organisationIds !== null && appeals.length === 0) throw notFoundError(NOT_FOUND);
    return { ...incident, appeals };
  }

  /**
   * The first step: the actor drafts one answer for the incident, which becomes a draft of theirs on every
   * appeal still open (through the workflow: their organisation must work on it). The incident is claimed
   * first, so two drafts at once cannot both be written; a second draft waits for this one's fate.
   */
  async draft(id: string, text: string, actor: Actor): Promise<IncidentStepResult & { drafted: number }> {
    if (!UUID.test(id)) throw notFoundError(NOT_FOUND);
    const body = answerText(text);
    if (!(await this.repository.claimDraft(id, body, actor.userId))) {
      const state = await this.repository.state(id);
      if (!state) throw notFoundError(NOT_FOUND);
      if (state.status !== 'open') throw conflictError(ALREADY_ANSWERED);
      throw conflictError('Проект ответа на инцидент уже подготовлен и ждёт согласования');
    }
    let drafted = 0;
    let skipped = 0;
    const failed: IncidentStepResult['failed'] = [];
    for (const appeal of await this.repository.appealStatuses(id)) {
      if (DONE.includes(appeal.status)) {
        skipped++;
        continue;
      }
      try {
        const answerId = await this.workflow.draftAnswer(appeal.id, actor, { text: body });
        await this.repository.addDraft(id, appeal.id, answerId);
        drafted++;
      } catch (error) {
        if (!(error instanceof WorkflowError)) throw error;
        failed.push({ appealId: appeal.id, message: error.message });
      }
    }
    if (drafted === 0) {
      await this.repository.releaseDraft(id);
      throw conflictError(
        failed.length > 0
          ? `Проект не подготовлен ни по одному обращению инцидента: ${failed[0].message}`
          : 'У инцидента нет обращений, ждущих ответа',
      );
    }
    await this.audit.record({
      userId: actor.userId,
      action: 'incident.draft-answer',
      entityType: 'incident',
      entityId: id,
      details: { drafted, skipped, failed: failed.length },
    });
    this.log.info('incident answer drafted', { incidentId: id, drafted, skipped, failed: failed.length });
    return { incidentId: id, drafted, skipped, failed };
  }

  /**
   * The second step: a head, a supervisor or an administrator other than the author approves the incident's
   * draft, and each appeal's draft is approved and sent through the workflow (which refuses anyone their
   * own draft as well). The incident is claimed first: two approvals at once cannot both send.
   */
  async approve(id: string, actor: Actor): Promise<IncidentStepResult & { answered: number }> {
    if (!UUID.test(id)) throw notFoundError(NOT_FOUND);
    const state = await this.repository.state(id);
    if (!state) throw notFoundError(NOT_FOUND);
    if (state.status !== 'open') throw conflictError(ALREADY_ANSWERED);
    if (!state.drafted_at) throw conflictError('Проект ответа на инцидент ещё не подготовлен');
    if (state.drafted_by === actor.userId) {
      await this.audit.record({
        userId: actor.userId,
        action: 'incident.approve-answer',
        entityType: 'incident',
        entityId: id,
        outcome: 'denied',
        details: { reason: 'own-draft' },
      });
      throw forbiddenError('Нельзя согласовать собственный проект ответа на инцидент');
    }
    if (!APPROVERS.includes(actor.role)) {
      throw forbiddenError('Ответ на инцидент согласует руководитель');
    }
    if (!(await this.repository.claimAnswer(id, actor.userId))) {
      throw conflictError(ALREADY_ANSWERED);
    }
    let answered = 0;
    let skipped = 0;
    const failed: IncidentStepResult['failed'] = [];
    for (const d of await this.repository.drafts(id)) {
      if (d.answerStatus !== 'draft' || DONE.includes(d.appealStatus)) {
        skipped++;
        continue;
      }
      try {
        await this.workflow.approveAnswer(d.appealId, d.answerId, actor);
        await this.workflow.sendAnswer(d.appealId, d.answerId, actor);
        await this.transactions.run((tx) =>
          this.history.append(tx, d.appealId, 'incident-answered', actor.userId, {
            incidentId: id,
            answerId: d.answerId,
          }),
        );
        answered++;
      } catch (error) {
        if (!(error instanceof WorkflowError)) throw error;
        failed.push({ appealId: d.appealId, message: error.message });
      }
    }
    if (answered === 0 && failed.length > 0) await this.repository.reopen(id);
    await this.audit.record({
      userId: actor.userId,
      action: 'incident.approve-answer',
      entityType: 'incident',
      entityId: id,
      details: { answered, skipped, failed: failed.length, draftedBy: state.drafted_by },
    });
    this.log.info('incident answered', { incidentId: id, answered, skipped, failed: failed.length });
    return { incidentId: id, answered, skipped, failed };
  }
}

function answerText(text: string | undefined): string {
  const body = text?.trim() ?? '';
  if (!body) throw invalidInput('Напишите текст ответа', { text: 'Пустой ответ' });
  if (body.length > MAX_INCIDENT_ANSWER) {
    throw invalidInput(`Ответ — не длиннее ${MAX_INCIDENT_ANSWER} символов`, { text: 'Слишком длинный' });
  }
  return body;
}

/** The buckets an item can match in: its LSH bands, and its address within its topic. */
export function clusterBuckets(bands: string[], address: string | null, topicId: string | null): string[] {
  const keys = bands.map((b) => `incident-band:${b}`);
  if (address && topicId) keys.push(`incident-address:${topicId}:${address}`);
  return keys;
}

function bestMatch(matches: Map<string, { by: MatchBy; similarity?: number }>) {
  let best: { by: MatchBy; similarity?: number } | undefined;
  for (const m of matches.values()) {
    if (!best || (m.similarity ?? 0) > (best.similarity ?? 0)) best = m;
  }
  return best;
}

function incidentTitle(a: ClusterInput): string {
  const source = (a.subject?.trim() || a.text.trim()).replace(/\s+/g, ' ');
  const title = source.length > 120 ? `${source.slice(0, 120)}…` : source;
  return a.address ? `${title} — ${a.address.slice(0, 120)}` : title;
}
