import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type AccessScope, AuditLog, refusedOnRecord, Role } from '@inbox/access';
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
import { type Db, Transactions } from '@inbox/database';
import { addressKey, jaccard, minHashBands, tokenize, wordShingles } from '@inbox/text-classifier';
import {
  type ClaimedAppeal,
  type ClusterKey,
  DONE_STATUSES as DONE,
  type IncidentAppeal,
  type IncidentCandidate,
  type IncidentDetail,
  type IncidentMembershipChange,
  type IncidentPart,
  IncidentsRepository,
  type IncidentSummary,
} from './incidents.repository';

/** Texts shorter than this ("Спасибо!", "Когда?") say too little to be grouped by their words. */
export const MIN_WORDS_FOR_TEXT_MATCH = 6;
const CANDIDATES = 200;
export const MAX_INCIDENT_ANSWER = 10_000;

/** Who approves an incident's answer (and so sends it to every citizen); not an administrator, who works no appeal. */
const APPROVERS: readonly Role[] = [Role.Head, Role.Supervisor];
const NOT_FOUND = 'Инцидент не найден';
const ALREADY_ANSWERED = 'На инцидент уже дан ответ или он закрыт';
const AWAITS_APPROVAL = 'Проект ответа на инцидент уже подготовлен и ждёт согласования';

export interface ClusterInput {
  id: string;
  registeredAt: Date;
  topicId: string | null;
  subject: string | null;
  text: string;
  address: string | null;
  /** The keys saved when the item was routed (the grouping pass reuses them rather than compute them again). */
  saved?: { bands: string[]; addressKey: string | null };
  /** The full text's word shingles (`wordShingles`), when the caller has them already. */
  shingles?: ReadonlySet<string>;
  /** The appeal's incident as the caller read it with its saved keys (not locked); read here when not given. */
  incident?: { incidentId: string | null; open: boolean };
}

/**
 * An incident as the scope reads it, with the answer of the part it sees: the draft waiting for approval (else
 * the last one answered) of the viewer's organisation, or of whoever drafted on its appeals — never another
 * organisation's; `awaitingDraft`: its open appeals that no draft waits on yet.
 */
export type IncidentView = IncidentDetail & {
  appeals: IncidentAppeal[];
  draftText: string | null;
  draftedBy: string | null;
  draftedAt: Date | null;
  /** Whether the draft shown waits for approval (else it is the answer that went out). */
  draftAwaitsApproval: boolean;
  awaitingDraft: number;
  /** Line 1's exclusions and additions, within the scope, newest first. */
  membershipChanges: IncidentMembershipChange[];
};

/** What one step of answering an incident did: per appeal, done, passed over, or refused by the workflow. */
export interface IncidentStepResult {
  incidentId: string;
  skipped: number;
  failed: { appealId: string; message: string }[];
}

type MatchBy = 'text' | 'address';
interface Match {
  by: MatchBy;
  similarity?: number;
}

/**
 * Incidents: many items about one problem — near-identical texts (word 3-gram Jaccard, candidates found
 * through MinHash LSH bands), or the same normalised address and topic — within a time window, whatever
 * channel they came by. There is no global lock: an item locks only its own buckets (each LSH band, and its
 * address within its topic), so two items that could match each other — they share a band or an address
 * bucket — are grouped one after the other, while unrelated items are grouped in parallel. The matched
 * appeals' rows are then locked and read again, so that two items grouped at once that both match a third
 * join one incident instead of splitting it. After classification this is a pass of its own (clusterPending):
 * the classification pass only saves an item's keys, so routing never waits on buckets, and the grouping pass
 * claims the waiting keys oldest first; keys saved but not yet grouped are candidates already (an item
 * grouped first gathers them, and they find themselves in its incident when their turn comes). Locks are taken keys →
 * buckets → appeals; a pass routing an appeal again holds the appeal, so it touches no key a grouping pass may
 * hold (it inserts a request to group again, see saveKeys).
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
    return (await this.transactions.run((tx) => this.clusterMany(tx, [a]))).get(a.id);
  }

  /**
   * Saves the items' grouping keys in the caller's transaction, to be grouped by the grouping pass
   * (clusterPending): the caller waits on no one's buckets, nor on keys a grouping pass holds (the caller holds
   * the appeals, which that pass may be waiting for). An item saved again is grouped again.
   */
  async saveKeys(tx: Db, inputs: ClusterInput[]): Promise<void> {
    await this.repository.queueKeys(tx, inputs.map(storedKeys));
  }

  /**
   * The grouping pass: claims up to `limit` items whose keys wait to be grouped (oldest first; another pass
   * skips them) — or, given `appealIds`, those of them that wait — and groups them as clusterMany does, in
   * one transaction. Items routed again are first made to wait again, in a short transaction of their own
   * (takeRegroupRequests). Returns how many were claimed and, per item grouped now, its incident.
   */
  async clusterPending(
    limit: number,
    appealIds?: string[],
  ): Promise<{ claimed: number; grouped: Map<string, { incidentId: string; created: boolean }> }> {
    // Its own transaction: it holds keys and requests only, and waits on no one (no appeal, no bucket). Mostly
    // there is no request: one look first, not a transaction of three round trips (a request made after the
    // look waits for the next pass, as one made after the take would).
    if (await this.repository.anyRegroupRequests(appealIds)) {
      await this.transactions.run(async (tx) => {
        const rows = await this.repository.takeRegroupRequests(tx, limit, appealIds);
        await this.repository.requeueKeys(
          tx,
          rows.map((r) => storedKeys(clusterInputOf(r))),
        );
      });
    }
    return this.transactions.run(async (tx) => {
      const rows = await this.repository.claimUnclustered(tx, limit, appealIds);
      const grouped = await this.clusterMany(
        tx,
        rows.map((r) => ({
          ...clusterInputOf(r),
          saved: { bands: r.bands.map(String), addressKey: r.address_key },
          incident: { incidentId: r.incident_id, open: r.incident_status === 'open' },
        })),
      );
      return { claimed: rows.length, grouped };
    });
  }

  /**
   * Groups several items in the caller's transaction, as if one after the other in the order given: every
   * bucket of the batch is locked at once (sorted: two batches cannot deadlock on them), the candidates are read
   * with no appeal held, then the items that matched and their matches are locked once, in id order, before
   * any decision; the saved keys are marked grouped last, in one statement. Locks go keys → buckets → appeals.
   * An item sees the batch's earlier items as candidates (not the later ones, which group themselves with it),
   * so two items of one incident join one incident. Returns, per item grouped now, its incident.
   */
  async clusterMany(
    tx: Db,
    inputs: ClusterInput[],
  ): Promise<Map<string, { incidentId: string; created: boolean }>> {
    const result = new Map<string, { incidentId: string; created: boolean }>();
    const windowMs = this.config.incidentWindowHours * 3_600_000;
    if (inputs.length === 0) return result;
    const keyed = inputs.map((a) => ({ a, ...groupingKeys(a) }));
    await this.repository.lockBuckets(
      tx,
      keyed.flatMap((i) => clusterBuckets(i.bands, i.address, i.a.topicId)),
    );
    const items = keyed.map((k, index) => ({
      ...k,
      index,
      from: new Date(k.a.registeredAt.getTime() - windowMs),
      to: new Date(k.a.registeredAt.getTime() + windowMs),
    }));
    // Each item's incident; kept up to date as the batch is grouped.
    const incidentOf = new Map<string, { incidentId: string | null; open: boolean }>();
    const keyOf = (i: (typeof items)[number]): ClusterKey => ({
      appealId: i.a.id,
      registeredAt: i.a.registeredAt,
      topicId: i.a.topicId,
      addressKey: i.address,
      bands: i.bands,
    });
    // Items whose keys are not stored yet (cluster()): the batch's later items find them through their keys and
    // bands, so those are written before the candidates are read — and only once their appeals are held (a
    // pass routing one of them again holds the appeal, and must never find its key row written by a
    // transaction that would wait for it).
    const unsaved = items.filter((i) => !i.a.saved);
    if (unsaved.length > 0) {
      for (const r of await this.repository.lockMatches(
        tx,
        unsaved.map((i) => i.a.id),
      )) {
        incidentOf.set(r.id, { incidentId: r.incident_id, open: r.status === 'open' });
      }
      const keys = unsaved.map(keyOf);
      // The bands first: their old rows are found from the bands the key rows hold until they are saved.
      await this.repository.replaceBands(tx, keys);
      await this.repository.saveGroupedKeys(tx, keys);
    }
    // The others' incidents as the caller read them, or as they are now: read, not locked. Most items match
    // nothing and their appeals are never written, so no appeal is held while the candidates are looked for
    // (a follow-up touching one of the batch's appeals, the newest ones, does not wait for the pass).
    for (const i of items) if (i.a.saved && i.a.incident) incidentOf.set(i.a.id, i.a.incident);
    for (const r of await this.repository.incidentsOf(
      tx,
      items.filter((i) => !incidentOf.has(i.a.id) && i.a.saved).map((i) => i.a.id),
    )) {
      incidentOf.set(r.id, { incidentId: r.incident_id, open: r.status === 'open' });
    }
    const position = new Map(items.map((i) => [i.a.id, i.index]));
    // Candidates of every item still outside an incident, in one statement per kind.
    const open = items.filter((i) => {
      const me = incidentOf.get(i.a.id);
      return me && !me.incidentId;
    });
    const byText = await this.repository.textCandidates(
      tx,
      open
        .filter((i) => i.bands.length > 0)
        .map((i) => ({ appealId: i.a.id, bands: i.bands, from: i.from, to: i.to })),
      CANDIDATES,
    );
    const byAddress = await this.repository.addressCandidates(
      tx,
      open
        .filter((i) => i.address && i.a.topicId)
        .map((i) => ({
          appealId: i.a.id,
          addressKey: i.address!,
          topicId: i.a.topicId!,
          from: i.from,
          to: i.to,
        })),
      CANDIDATES,
    );
    // The batch's items share most of their candidates: each candidate's text is read and shingled once.
    const shingled = new Map(items.map((i) => [i.a.id, i.shingles]));
    for (const c of await this.repository.candidateTexts(tx, [
      ...new Set(byText.map((c) => c.id).filter((id) => !shingled.has(id))),
    ])) {
      shingled.set(c.id, wordShingles(c.subject ? `${c.subject}.\n${c.text}` : c.text));
    }
    const matchesOf = items.map(() => new Map<string, Match>());
    const indexOf = (id: string) => position.get(id)!;
    // An item matches only the batch's earlier items (a later one groups itself with it).
    const peer = (itemId: string, candidateId: string) => (position.get(candidateId) ?? -1) > indexOf(itemId);
    for (const c of byText) {
      if (peer(c.for_id, c.id)) continue;
      const theirs = shingled.get(c.id);
      if (!theirs) continue;
      const similarity = jaccard(items[indexOf(c.for_id)].shingles, theirs);
      if (similarity < this.config.incidentSimilarity) continue;
      matchesOf[indexOf(c.for_id)].set(c.id, {
        by: 'text',
        similarity: Math.round(similarity * 1000) / 1000,
      });
    }
    for (const c of byAddress) {
      const matches = matchesOf[indexOf(c.for_id)];
      if (!peer(c.for_id, c.id) && !matches.has(c.id)) matches.set(c.id, { by: 'address' });
    }
    // The rows grouping may write — each item that matched, and its matches — are locked now, in one statement
    // in id order, and their incidents read again: another item may have grouped one of them a moment ago (it
    // shares a bucket with the match, not with us), so that we join its incident rather than split it.
    const locked = [
      ...new Set(
        items
          .filter((i) => matchesOf[i.index].size > 0)
          .flatMap((i) => [i.a.id, ...matchesOf[i.index].keys()]),
      ),
    ];
    for (const id of locked) incidentOf.delete(id);
    for (const r of locked.length > 0 ? await this.repository.lockMatches(tx, locked) : []) {
      incidentOf.set(r.id, { incidentId: r.incident_id, open: r.status === 'open' });
    }

    // Every row grouping writes is locked now, so the decisions are made in memory, one item after another,
    // and written at the end in one statement per kind.
    const events: { appealId: string; type: string; data: Record<string, unknown> }[] = [];
    const touched = new Map<string, string | null>();
    const creations: {
      id: string;
      title: string;
      topicId: string | null;
      addressKey: string | null;
      at: Date;
    }[] = [];
    const links: { appealId: string; incidentId: string }[] = [];
    // When each open incident of a match was last added to, read once for the batch (not per item).
    const lastAt = new Map(
      (
        await this.repository.lastAt(tx, [
          ...new Set(
            [...incidentOf.values()].filter((m) => m.open && m.incidentId).map((m) => m.incidentId!),
          ),
        ])
      ).map((r) => [r.id, new Date(r.last_at)]),
    );
    // Incidents line 1 excluded an item from: it is never put back into them (it may join another).
    const excluded = new Set(
      (
        await this.repository.excludedFrom(
          tx,
          items.filter((i) => matchesOf[i.index].size > 0).map((i) => i.a.id),
        )
      ).map((r) => `${r.appeal_id}:${r.incident_id}`),
    );
    for (const item of items) {
      const matches = matchesOf[item.index];
      const me = incidentOf.get(item.a.id);
      if (matches.size === 0 || !me || me.incidentId) continue;
      const of = (id: string) => incidentOf.get(id) ?? { incidentId: null, open: false };
      const openOfMatches = [
        ...new Set(
          [...matches.keys()]
            .map(of)
            .filter((m) => m.open)
            .map((m) => m.incidentId!),
        ),
      ];
      const openIds = openOfMatches.filter((id) => !excluded.has(`${item.a.id}:${id}`));
      const loose = [...matches.keys()].filter((id) => incidentOf.has(id) && !of(id).incidentId);
      // Matched only an incident it was excluded from: it stays on its own rather than start an incident alone.
      if (openIds.length === 0 && openOfMatches.length > 0 && loose.length === 0) continue;
      const created = openIds.length === 0;
      let incidentId: string;
      if (created) {
        incidentId = randomUUID();
        creations.push({
          id: incidentId,
          title: incidentTitle(item.a),
          topicId: item.a.topicId,
          addressKey: item.address,
          at: item.a.registeredAt,
        });
      } else {
        incidentId = openIds.length === 1 ? openIds[0] : latest(openIds, lastAt, creations);
      }
      // A new incident gathers the matches that belong to none; an open one is joined by this item alone.
      const joining = created ? loose : [];
      const linked = [item.a.id, ...joining];
      for (const id of linked) {
        links.push({ appealId: id, incidentId });
        const m = id === item.a.id ? bestMatch(matches) : matches.get(id);
        incidentOf.set(id, { incidentId, open: true });
        events.push({
          appealId: id,
          type: 'incident-linked',
          data: {
            incidentId,
            by: m?.by ?? 'text',
            ...(m?.similarity !== undefined ? { similarity: m.similarity } : {}),
          },
        });
      }
      if (!touched.has(incidentId)) touched.set(incidentId, item.a.topicId);
      result.set(item.a.id, { incidentId, created });
    }
    await this.repository.createMany(tx, creations);
    const linked = await this.appeals.linkToIncidents(tx, links);
    if (linked.length !== links.length) {
      // Every linked row was locked and read in this transaction: anything else is a defect.
      throw new Error(
        `incident grouping: ${links.length - linked.length} appeal(s) changed under their lock`,
      );
    }
    await this.history.appendMany(tx, events);
    // Counts last (their rows in id order: two batches touching the same incidents cannot deadlock on them).
    await this.repository.addToCounts(
      tx,
      [...touched].map(([incidentId, topicId]) => ({ incidentId, topicId })),
      links.map((l) => l.appealId),
    );
    // The stored keys, marked grouped, last: most of their appeals are not held, and after this statement the
    // pass waits on no one (a pass routing such an appeal again may wait on these rows, never the other way).
    await this.repository.saveGroupedKeys(tx, items.filter((i) => i.a.saved).map(keyOf));
    return result;
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

  async get(id: string, scope: AccessScope): Promise<IncidentView> {
    if (!UUID.test(id)) throw notFoundError(NOT_FOUND);
    const incident = await this.repository.find(id, scope);
    const appeals = incident ? await this.repository.appeals(id, scope) : [];
    if (!incident || (scope.organisationIds !== null && appeals.length === 0)) {
      // Asked for by id outside the scope (or not there at all): on record, as every such refusal is.
      await refusedOnRecord(
        this.audit,
        { userId: scope.userId, action: 'incident.read', entityType: 'incident', entityId: id },
        notFoundError(NOT_FOUND),
      );
    }
    const [parts, drafts, membershipChanges] = await Promise.all([
      this.repository.parts(id, scope),
      this.repository.drafts(id, scope),
      this.repository.membershipChanges(id, scope),
    ]);
    const shown: IncidentPart | undefined = parts.find((p) => p.pending) ?? parts.find((p) => p.answeredAt);
    const waiting = new Set(drafts.filter((d) => d.answerStatus === 'draft').map((d) => d.appealId));
    return {
      ...incident!,
      appeals,
      draftText: shown?.draftText ?? null,
      draftedBy: shown?.draftedBy ?? null,
      draftedAt: shown?.draftedAt ?? null,
      draftAwaitsApproval: shown?.pending ?? false,
      awaitingDraft: appeals.filter((a) => !DONE.includes(a.status) && !waiting.has(a.id)).length,
      membershipChanges,
    };
  }

  /**
   * Open incidents an appeal may be added to (see IncidentsRepository.candidates); undefined when the appeal is not
   * within the scope.
   */
  async candidates(
    appealId: string,
    scope: AccessScope,
    search?: string,
  ): Promise<IncidentCandidate[] | undefined> {
    if (!UUID.test(appealId) || !(await this.repository.appealVisibleTo(appealId, scope))) return undefined;
    return this.repository.candidates(appealId, scope, search);
  }

  /**
   * An incident the actor's scope does not see is one that does not exist (404), for its steps as for reading
   * it: it is neither claimed nor told apart by its state (drafted or not), and the attempt is on record.
   */
  private async assertVisible(id: string, actor: Actor, action: string): Promise<void> {
    if (!UUID.test(id)) throw notFoundError(NOT_FOUND);
    if (await this.repository.visibleTo(id, actor.scope)) return;
    await refusedOnRecord(
      this.audit,
      { userId: actor.userId, action, entityType: 'incident', entityId: id, details: { reason: 'scope' } },
      notFoundError(NOT_FOUND),
    );
  }

  /**
   * The first step: the actor drafts one answer for their part of the incident — a draft of theirs on every
   * appeal in their scope still open and not waiting on another draft (through the workflow: their
   * organisation must work on it). Their organisation's part is claimed first, so two drafts of one organisation
   * at once cannot both be written; another organisation's part is neither claimed nor blocked by it.
   */
  async draft(id: string, text: string, actor: Actor): Promise<IncidentStepResult & { drafted: number }> {
    await this.assertVisible(id, actor, 'incident.draft-answer');
    const body = answerText(text);
    if (!(await this.repository.claimDraft(id, actor.organisationId, body, actor.userId))) {
      const status = await this.repository.status(id);
      if (!status) throw notFoundError(NOT_FOUND);
      if (status !== 'open') throw conflictError(ALREADY_ANSWERED);
      throw conflictError(AWAITS_APPROVAL);
    }
    let drafted = 0;
    let skipped = 0;
    let awaiting = 0;
    const failed: IncidentStepResult['failed'] = [];
    // A draft already waiting on an appeal (line 1's, a subordinate's) is not doubled: it is passed over.
    const waiting = new Set(
      (await this.repository.drafts(id, actor.scope))
        .filter((d) => d.answerStatus === 'draft')
        .map((d) => d.appealId),
    );
    // The actor's part of the incident: another organisation's appeals are theirs to answer.
    for (const appeal of await this.repository.appealStatuses(id, actor.scope)) {
      if (DONE.includes(appeal.status) || waiting.has(appeal.id)) {
        skipped++;
        if (waiting.has(appeal.id)) awaiting++;
        continue;
      }
      try {
        // Linked in the draft's own transaction, the appeal locked: an exclusion of it (which holds that lock)
        // either went first, and no draft is written, or comes after and discards this one.
        await this.workflow.draftAnswer(appeal.id, actor, { text: body }, (tx, a, answerId) =>
          linkIncidentDraft(this.repository, tx, id, a, answerId),
        );
        drafted++;
      } catch (error) {
        if (!(error instanceof WorkflowError)) throw error;
        failed.push({ appealId: appeal.id, message: error.message });
      }
    }
    if (drafted === 0) {
      await this.repository.releaseDraft(id, actor.organisationId);
      throw conflictError(
        failed.length > 0
          ? `Проект не подготовлен ни по одному обращению инцидента: ${failed[0].message}`
          : awaiting > 0
            ? AWAITS_APPROVAL
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
   * The second step: a head, a supervisor or an administrator approves the drafts waiting on the incident's
   * appeals in their scope, none of their own, and each is approved and sent through the workflow (which
   * refuses anyone their own draft, and an answer approved already, so two approvals at once send each once).
   * Those organisations' parts are answered when none of their drafts waits; the incident, when none of its
   * appeals is open. Another organisation's part is left to it.
   */
  async approve(id: string, actor: Actor): Promise<IncidentStepResult & { answered: number }> {
    await this.assertVisible(id, actor, 'incident.approve-answer');
    const status = await this.repository.status(id);
    if (!status) throw notFoundError(NOT_FOUND);
    if (status !== 'open') throw conflictError(ALREADY_ANSWERED);
    const drafts = await this.repository.drafts(id, actor.scope);
    const waiting = drafts.filter((d) => d.answerStatus === 'draft' && !DONE.includes(d.appealStatus));
    if (waiting.length === 0) {
      const answeredPart = (await this.repository.parts(id, actor.scope)).some((p) => p.answeredAt);
      throw conflictError(answeredPart ? ALREADY_ANSWERED : 'Проект ответа на инцидент ещё не подготовлен');
    }
    const others = waiting.filter((d) => d.authorId !== actor.userId);
    if (others.length === 0) {
      await refusedOnRecord(
        this.audit,
        {
          userId: actor.userId,
          action: 'incident.approve-answer',
          entityType: 'incident',
          entityId: id,
          details: { reason: 'own-draft' },
        },
        forbiddenError('Нельзя согласовать собственный проект ответа на инцидент'),
      );
    }
    if (!APPROVERS.includes(actor.role)) {
      throw forbiddenError('Ответ на инцидент согласует руководитель');
    }
    let answered = 0;
    // Drafts waiting that this approval leaves: the approver's own, and those on appeals done meanwhile.
    const skipped = drafts.filter((d) => d.answerStatus === 'draft').length - others.length;
    const failed: IncidentStepResult['failed'] = [];
    for (const d of others) {
      try {
        // Approved and sent in one transaction, the appeal locked, and only while the appeal is still in the
        // incident with this draft: an exclusion of it (which holds that lock) is either refused, the answer given,
        // or went first, and the incident's answer does not reach it.
        await this.workflow.approveAndSend(d.appealId, d.answerId, actor, {
          guard: async (tx, a) => {
            if (await this.repository.holdsDraft(tx, id, a.id, d.answerId)) return;
            throw new WorkflowError(
              'conflict',
              `Обращение № ${a.registration_number} исключено из инцидента: ответ инцидента ему не отправлен`,
            );
          },
          then: (tx, a) =>
            this.history.append(tx, a.id, 'incident-answered', actor.userId, {
              incidentId: id,
              answerId: d.answerId,
            }),
        });
        answered++;
      } catch (error) {
        if (!(error instanceof WorkflowError)) throw error;
        failed.push({ appealId: d.appealId, message: error.message });
      }
    }
    if (answered > 0) {
      await this.repository.markAnswered(id, [...new Set(others.map((d) => d.organisationId))], actor.userId);
    }
    await this.audit.record({
      userId: actor.userId,
      action: 'incident.approve-answer',
      entityType: 'incident',
      entityId: id,
      details: {
        answered,
        skipped,
        failed: failed.length,
        draftedBy: [...new Set(others.map((d) => d.authorId))],
      },
    });
    this.log.info('incident answered', { incidentId: id, answered, skipped, failed: failed.length });
    return { incidentId: id, answered, skipped, failed };
  }
}

/**
 * Links a draft just written on an appeal to the incident, in the draft's transaction (the appeal locked); refuses,
 * and the draft is undone, when line 1 excluded the appeal from the incident meanwhile.
 */
export async function linkIncidentDraft(
  repository: IncidentsRepository,
  tx: Db,
  incidentId: string,
  appeal: { id: string; registration_number: string },
  answerId: string,
): Promise<void> {
  if (await repository.addDraft(tx, incidentId, appeal.id, answerId)) return;
  throw new WorkflowError(
    'conflict',
    `Обращение № ${appeal.registration_number} исключено из инцидента: ответ инцидента для него не готовится`,
  );
}

function answerText(text: string | undefined): string {
  const body = text?.trim() ?? '';
  if (!body) throw invalidInput('Напишите текст ответа', { text: 'Пустой ответ' });
  if (body.length > MAX_INCIDENT_ANSWER) {
    throw invalidInput(`Ответ — не длиннее ${MAX_INCIDENT_ANSWER} символов`, { text: 'Слишком длинный' });
  }
  return body;
}

/**
 * An item's word shingles, its LSH bands (none for a text too short to match by) and its address key; the
 * bands and address key saved for it when it was routed, if given.
 */
function groupingKeys(a: ClusterInput) {
  const fullText = a.subject ? `${a.subject}.\n${a.text}` : a.text;
  const shingles = a.shingles ?? wordShingles(fullText);
  if (a.saved) return { shingles, bands: a.saved.bands, address: a.saved.addressKey };
  return {
    shingles,
    bands: tokenize(fullText).length >= MIN_WORDS_FOR_TEXT_MATCH ? minHashBands(shingles) : [],
    address: addressKey(a.address) ?? null,
  };
}

/** The keys stored for an item. */
function storedKeys(a: ClusterInput) {
  const k = groupingKeys(a);
  return {
    appealId: a.id,
    registeredAt: a.registeredAt,
    topicId: a.topicId,
    addressKey: k.address,
    bands: k.bands,
  };
}

/** What grouping reads of an appeal row. */
export function clusterInputOf(r: ClaimedAppeal): ClusterInput {
  return {
    id: r.id,
    registeredAt: new Date(r.registered_at),
    topicId: r.topic_id,
    subject: r.subject,
    text: r.text,
    address: r.address,
  };
}

/** The buckets an item can match in: its LSH bands, and its address within its topic. */
export function clusterBuckets(bands: string[], address: string | null, topicId: string | null): string[] {
  const keys = bands.map((b) => `incident-band:${b}`);
  if (address && topicId) keys.push(`incident-address:${topicId}:${address}`);
  return keys;
}

/** Of these open incidents (some created by this batch, not yet written), the one most recently added to. */
function latest(ids: string[], lastAt: Map<string, Date>, creations: { id: string; at: Date }[]): string {
  const pending = new Map(creations.map((c) => [c.id, c.at]));
  const all = ids.map((id) => ({ id, at: (pending.get(id) ?? lastAt.get(id))!.getTime() }));
  all.sort((x, y) => y.at - x.at || (x.id < y.id ? -1 : 1));
  return all[0].id;
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
