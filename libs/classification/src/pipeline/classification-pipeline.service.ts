import { Injectable } from '@nestjs/common';
import { AppealHistoryRepository, OPEN_STATUSES } from '@inbox/appeals';
import { rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { type Db, Transactions } from '@inbox/database';
import { type AppealDeadlines, fastTrackTerm, localDateOf, ProductionCalendar } from '@inbox/deadlines';
import { clusterInputOf, Incidents } from '@inbox/incidents';
import { LegalFlags } from '@inbox/legal-flags';
import { type Catalogue, TopicCatalogue } from '@inbox/rubricator';
import { findPhrases, stemText, type StemmedText, wordShingles } from '@inbox/text-classifier';
import { type FastTrackRuleData, matchFastTrack } from '../fast-track/fast-track-match';
import { FastTrackRules } from '../fast-track/fast-track-rules.service';
import {
  type PassBasis,
  type PassWrite,
  type PipelineAppeal,
  PipelineAppealsRepository,
} from '../repositories/pipeline-appeals.repository';
import { RoutingSuggestions } from '../routing/routing-suggestions.service';
import { storedAppealInput } from '../training/appeal-input';
import { ModelRegistry } from '../training/model-registry.service';
import { bestTypicalNeed, decideTopic, type TopicDecision } from './topic-decision';

export type PipelineOutcome =
  | { kind: 'missing' }
  /** No model yet, but one is being trained: left pending for the sweep. */
  | { kind: 'deferred' }
  | {
      kind: 'done';
      classification: 'auto' | 'manual' | 'confirmed' | 'unchanged';
      fastTracked: boolean;
      flags: string[];
      incidentId?: string;
      suggestedOrganisationIds: string[];
    };

export interface PipelineOptions {
  /**
   * Asked when there is no promoted model: true leaves the appeal pending (a bootstrap model is on its way).
   * Asked before the pass's transaction begins, never inside it: the worker's answer comes from Redis, and a
   * slow or unreachable Redis must not hold the pass's row and claim locks (issue 18).
   */
  deferWithoutModel?: () => Promise<boolean>;
}

/** How many times processPending runs a pass again whose appeals changed under it (PassRaced). */
const PASS_ATTEMPTS = 5;

/**
 * What happens to an appeal after registration, in one idempotent pass: its topic is predicted (auto above
 * the confidence threshold, else the manual queue), the region's fast-track rules are applied (10-day term),
 * the responsible organisations are suggested, 59-ФЗ flags are raised for a person to confirm, and the item
 * joins an incident when it is one of many about the same problem. Each step writes at most once (guarded
 * updates, unique keys), so a retried job repeats nothing; logs carry ids only.
 */
@Injectable()
export class ClassificationPipeline {
  private readonly log = rootLogger.child('classification');
  private readonly calendar = ProductionCalendar.russian();

  constructor(
    private readonly appeals: PipelineAppealsRepository,
    private readonly history: AppealHistoryRepository,
    private readonly transactions: Transactions,
    private readonly config: AppConfig,
    private readonly registry: ModelRegistry,
    private readonly catalogue: TopicCatalogue,
    private readonly fastTrack: FastTrackRules,
    private readonly flags: LegalFlags,
    private readonly routing: RoutingSuggestions,
    private readonly incidents: Incidents,
  ) {}

  /**
   * One appeal, by id, in one pass (again if it was through the pipeline already), then grouped into an
   * incident at once (the grouping pass's step, for this appeal alone).
   */
  async process(appealId: string, options: PipelineOptions = {}): Promise<PipelineOutcome> {
    const defer = await this.deferral(options);
    const outcome = await this.transactions.run(async (tx) => {
      const rows = await this.appeals.loadLocked(tx, [appealId]);
      if (rows.length === 0) return { kind: 'missing' as const };
      return (await this.pass(tx, rows, defer)).get(appealId)!;
    });
    if (outcome.kind !== 'done') return outcome;
    const { grouped } = await this.incidents.clusterPending(1, [appealId]);
    const incidentId = grouped.get(appealId)?.incidentId;
    return incidentId ? { ...outcome, incidentId } : outcome;
  }

  /**
   * Claims up to `limit` appeals the pipeline has not been through (oldest first; rows another pass holds are
   * skipped) and runs one set-based pass over them in one transaction. Returns each appeal's outcome. Their
   * incidents are the grouping pass's (Incidents.clusterPending), after this one: a pass never waits on the
   * buckets of another's grouping.
   */
  async processPending(limit: number, options: PipelineOptions = {}): Promise<Map<string, PipelineOutcome>> {
    // Its commit need not wait for the disk (Transactions.runRedoable). A pass lost in a crash of Postgres is
    // derived from the registered appeals, which are durable, and is re-done: everything it writes is in this
    // transaction, so its appeals are left `pending` without `classified_at`, which is what the next claim
    // takes (the worker's poll every CLASSIFY_POLL_MS, the sweep of stale pending appeals). No hook acts on the
    // outside world for the events it writes (notices and ПОС statuses follow registration and staff acts).
    const defer = await this.deferral(options);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.transactions.runRedoable(async (tx) => {
          const rows = await this.appeals.claimPending(tx, limit);
          return rows.length === 0 ? new Map<string, PipelineOutcome>() : this.pass(tx, rows, defer);
        });
      } catch (error) {
        // An appeal changed under the pass (PassRaced): nothing of it stayed; again, as the appeals are now.
        if (!(error instanceof PassRaced) || attempt >= PASS_ATTEMPTS) throw error;
        this.log.debug('pass raced', { appeals: error.appealIds.length, attempt });
      }
    }
  }

  /**
   * Whether a pass is to leave the appeals that need a model pending, should it find none: asked before its
   * transaction (PipelineOptions.deferWithoutModel), so nothing is claimed or locked while the answer comes
   * and nothing is written before it — a process that dies meanwhile leaves its appeals pending, for the
   * next pass to take. Only asked when no model is promoted (ModelRegistry.promoted, cached for CHECK_MS).
   */
  private async deferral(options: PipelineOptions): Promise<boolean> {
    if (!options.deferWithoutModel || (await this.registry.promoted())) return false;
    return options.deferWithoutModel();
  }

  /** Appeals registered over `olderThanMs` ago that the pipeline never got to (up to 1000), for the sweep. */
  stalePending(olderThanMs: number): Promise<string[]> {
    return this.appeals.stalePending(olderThanMs, 1000);
  }

  /**
   * After a person changed the topic: the topic-dependent steps again (fast-track rules by topic, the
   * routing suggestion, incidents by address and topic). Its keys wait to be grouped again, and are grouped
   * once the appeal is let go: a grouping pass takes keys before appeals, so the appeal's holder touches none.
   */
  async afterReclassification(appealId: string): Promise<void> {
    const a = await this.transactions.run(async (tx) => {
      const rules = await this.fastTrack.active(tx);
      const [row] = await this.appeals.loadLocked(tx, [appealId]);
      if (!row) return undefined;
      const fastTracked = this.fastTrackTerms([{ a: row, stemmed: stemText(fullTextOf(row)) }], rules);
      await this.history.appendMany(tx, await this.applyFastTrack(tx, fastTracked));
      await this.incidents.saveKeys(tx, [clusterInputOf(row)]);
      return row;
    });
    if (!a) return;
    await this.incidents.clusterPending(1, [appealId]);
    await this.suggestRoute(a);
  }

  /**
   * What happens to the appeals (claimed by the caller's transaction) after registration, per appeal as in the
   * class comment, but set-based: predictions and rules in memory, the other tables' rows, then the appeals'
   * rows locked and each written once, in one statement for the batch.
   */
  private async pass(
    tx: Db,
    rows: PipelineAppeal[],
    deferWithoutModel: boolean,
  ): Promise<Map<string, PipelineOutcome>> {
    const outcomes = new Map<string, PipelineOutcome>();
    // Every read of the pass goes through `tx`: the pass holds its rows' locks, and a second connection from the
    // pool may never come (the pool's others waiting on those locks — a deadlock Postgres cannot see).
    let catalogue = await this.catalogue.get(tx);
    const needModel = rows.some((a) => a.classification_state === 'pending' && !a.topic_id);
    const model = needModel ? await this.registry.promoted(undefined, tx) : undefined;
    const defer = needModel && !model && deferWithoutModel;
    const items: PassItem[] = [];
    for (const a of rows) {
      if (defer && a.classification_state === 'pending' && !a.topic_id) {
        outcomes.set(a.id, { kind: 'deferred' });
        continue;
      }
      items.push({ a, before: { ...a }, stemmed: stemText(fullTextOf(a)), classification: 'unchanged' });
    }

    const auto: (Omit<
      Extract<PassWrite, { classification: 'auto' }>,
      'organisationIds' | 'classification'
    > & {
      event: object;
    })[] = [];
    const manual: { id: string; confidence: number | null; modelId: string | null; event?: object }[] = [];
    for (const item of items) {
      const a = item.a;
      if (a.classification_state !== 'pending') continue;
      if (a.topic_id) {
        // A person chose the topic before the model got to it: that choice stands.
        item.classification = 'confirmed';
        continue;
      }
      if (!model) {
        // Without a model there is nothing to tell the clerk (no suggestions): the state says it all.
        manual.push({ id: a.id, confidence: null, modelId: null });
        continue;
      }
      const input = storedAppealInput(a);
      const mapped = this.catalogue.mappedTopic(catalogue, a.channel, a.channel_category);
      const started = performance.now();
      const decide = (c: Catalogue) =>
        decideTopic(model.classifier, input, c, this.config.classifierMinConfidence, mapped);
      let decision = decide(catalogue);
      if (decision.reason === 'unknown-topic' && !catalogue.byCode.has(decision.label)) {
        // A topic added a moment ago (the model was trained after it): read the rubricator again.
        this.catalogue.invalidate();
        catalogue = await this.catalogue.get(tx);
        decision = decide(catalogue);
      }
      item.decision = decision;
      const ms = Math.round((performance.now() - started) * 100) / 100;
      this.log.debug('classified', {
        appealId: a.id,
        accepted: decision.accepted,
        reason: decision.reason,
        ms,
      });
      if (!decision.accepted) {
        const info = {
          reason: decision.reason,
          confidence: decision.confidence,
          modelId: model.id,
          suggestions: decision.signals.slice(0, 3).map((s) => ({
            topicId: s.topicId,
            subtopicId: s.subtopicId,
            confidence: s.confidence,
          })),
        };
        manual.push({ id: a.id, confidence: info.confidence, modelId: model.id, event: info });
        continue;
      }
      const leaf = catalogue.byId.get(decision.subtopicId ?? decision.topicId!);
      const typicalNeed = (leaf ? bestTypicalNeed(item.stemmed, leaf.typicalNeeds) : undefined) ?? null;
      auto.push({
        id: a.id,
        topicId: decision.topicId,
        subtopicId: decision.subtopicId,
        typicalNeed,
        confidence: decision.confidence,
        modelId: model.id,
        event: {
          topicId: decision.topicId,
          subtopicId: decision.subtopicId,
          topic: catalogue.byId.get(decision.topicId!)?.code ?? null,
          subtopic: decision.subtopicId ? (catalogue.byId.get(decision.subtopicId)?.code ?? null) : null,
          typicalNeed,
          confidence: decision.confidence,
          margin: decision.margin,
          model: model.id,
          modelId: model.id,
          source: decision.reason === 'channel-category' ? 'channel-category' : 'model',
          ms,
        },
      });
    }
    // Everything the pass reads comes first — the routes, the fast-track rules, the applicants' earlier appeals
    // (the repeated flag) —, then everything it writes to other tables, and only then are its appeals' rows
    // locked, for one write of each and the commit (issue 18: while a row is held, a follow-up's touch of it
    // waits, and with it the registration batch that carries it; the holder was this pass's transaction
    // between its statements). Should an appeal have changed since it was read, the whole pass is undone
    // (PassRaced) and done again as the appeals are then: nothing it wrote stays.
    const accepted = new Map(auto.map((t) => [t.id, t]));
    const manualOf = new Map(manual.map((m) => [m.id, m]));
    for (const item of items) {
      const t = accepted.get(item.a.id);
      if (t) {
        item.a.topic_id = t.topicId;
        item.a.subtopic_id = t.subtopicId;
        item.classification = 'auto';
      } else if (manualOf.has(item.a.id)) item.classification = 'manual';
    }
    const routes = await this.routes(
      tx,
      items.map((i) => i.a),
    );
    const rules = items.some(({ a }) => fastTrackable(a)) ? await this.fastTrack.active(tx) : [];
    // Shingled once for the repeated-appeal check and the grouping keys.
    const shingles = new Map(items.map(({ a }) => [a.id, wordShingles(fullTextOf(a))]));
    const detected = await this.flags.detectMany(
      tx,
      items.map(({ a, stemmed, decision }) => ({
        appealId: a.id,
        regime: a.regime,
        hasSurname: a.has_surname,
        hasPostalAddress: a.has_postal_address,
        hasEmail: a.has_email,
        text: stemmed,
        shingles: shingles.get(a.id)!,
        signals: decision?.signals ?? [],
        keywordTopics: keywordTopics(stemmed, catalogue),
      })),
      {
        repeatedSimilarity: this.config.repeatedAppealSimilarity,
        multiTopicConfidence: this.config.classifierMultiTopicConfidence,
      },
    );
    // Fast-track terms by the topics the pass gives.
    const terms = this.fastTrackTerms(items, rules);
    const termOf = new Map(terms.map((t) => [t.a.id, t]));
    // The pass's history in one insert, in the order the steps ran (classification, fast track, flags).
    const events: HistoryEvent[] = [];
    for (const t of auto) {
      events.push({ appealId: t.id, type: 'auto-classified', data: t.event as Record<string, unknown> });
    }
    for (const m of manual) {
      if (m.event) {
        events.push({
          appealId: m.id,
          type: 'classification-queued',
          data: m.event as Record<string, unknown>,
        });
      }
    }
    events.push(...terms.map((t) => this.fastTrackEvent(t)));
    const { raised, events: flagEvents } = await this.flags.raiseMany(tx, detected);
    await this.history.appendMany(tx, [...events, ...flagEvents]);
    // The grouping keys wait for the grouping pass (no bucket is locked here).
    await this.incidents.saveKeys(
      tx,
      items.map((i) => ({ ...clusterInputOf(i.a), shingles: shingles.get(i.a.id) })),
    );
    // The rows, locked as they are now: what the pass decided on must still be so.
    const now = new Map(
      (
        await this.appeals.lockForPass(
          tx,
          items.map((i) => i.a.id),
        )
      ).map((r) => [r.id, r]),
    );
    const changed = items.filter((i) => !unchanged(i.before, now.get(i.a.id))).map((i) => i.a.id);
    if (changed.length > 0) throw new PassRaced(changed);
    const writes: PassWrite[] = items.map(({ a, classification }) => {
      const organisationIds = routes.get(a.id)!;
      const term = termOf.get(a.id);
      const fastTrack = term && {
        answerDueDate: term.deadlines.answerDueDate,
        answerDueAt: term.deadlines.answerDueAt,
        warnings: term.deadlines.warnings,
      };
      const common = { id: a.id, organisationIds, ...(fastTrack ? { fastTrack } : {}) };
      if (classification === 'auto') {
        const { event: _event, id: _id, ...topic } = accepted.get(a.id)!;
        return { ...common, ...topic, classification: 'auto' as const };
      }
      if (classification === 'manual') {
        const m = manualOf.get(a.id)!;
        return { ...common, classification, confidence: m.confidence, modelId: m.modelId };
      }
      return { ...common, classification };
    });
    const written = await this.appeals.writePass(tx, writes);
    // Every guard holds on rows locked unchanged; should one not, nothing of the pass stays.
    if (written.size !== writes.length) {
      throw new PassRaced(writes.filter((w) => !written.has(w.id)).map((w) => w.id));
    }
    for (const t of terms) {
      t.applied = true;
      t.a.fast_track = true;
      this.log.info('fast-tracked', { appealId: t.a.id, ruleId: t.match.rule.id });
    }
    const fastTracked = new Set(terms.map((t) => t.a.id));
    for (const { a, classification } of items) {
      outcomes.set(a.id, {
        kind: 'done',
        classification,
        fastTracked: fastTracked.has(a.id),
        flags: raised.get(a.id) ?? [],
        suggestedOrganisationIds: routes.get(a.id)!,
      });
    }
    return outcomes;
  }

  /** Route suggestions for the batch (RoutingSuggestions.organisationsFor: history read set-based). */
  private async routes(tx: Db, rows: PipelineAppeal[]): Promise<Map<string, string[]>> {
    const ids = await this.routing.organisationsFor(
      rows.map((a) => ({ topicId: a.topic_id, subtopicId: a.subtopic_id, territoryCode: a.territory_code })),
      tx,
    );
    return new Map(rows.map((a, i) => [a.id, ids[i]]));
  }

  /**
   * The region's rules (`rules`, FastTrackRules.active, read before the caller locks the appeals): a match on an
   * open, not yet fast-tracked appeal → 10 days from registration. Computed in memory; applyFastTrack writes.
   */
  private fastTrackTerms(
    items: { a: PipelineAppeal; stemmed: StemmedText }[],
    rules: FastTrackRuleData[],
  ): FastTrackTerm[] {
    if (rules.length === 0) return [];
    const terms: FastTrackTerm[] = [];
    for (const { a, stemmed } of items.filter(({ a }) => fastTrackable(a))) {
      const match = matchFastTrack(rules, {
        text: stemmed,
        channel: a.channel,
        topicIds: [a.topic_id, a.subtopic_id].filter((t): t is string => !!t),
        month: Number(localDateOf(new Date(a.registered_at), a.time_zone).slice(5, 7)),
      });
      if (!match) continue;
      terms.push({ a, match, deadlines: fastTrackTerm(a, this.config, this.calendar), applied: false });
    }
    return terms;
  }

  /**
   * Writes the fast-track terms (one statement) and marks each term `applied` when its appeal took it. Returns
   * their `fast-tracked` history events, for the caller to append in its transaction.
   */
  private async applyFastTrack(tx: Db, terms: FastTrackTerm[]): Promise<HistoryEvent[]> {
    if (terms.length === 0) return [];
    const applied = await this.appeals.fastTrack(
      tx,
      terms.map(({ a, deadlines }) => ({
        id: a.id,
        answerDueDate: deadlines.answerDueDate,
        answerDueAt: deadlines.answerDueAt,
        warnings: deadlines.warnings,
      })),
    );
    const events: HistoryEvent[] = [];
    for (const term of terms) {
      if (!applied.has(term.a.id)) continue;
      term.applied = true;
      term.a.fast_track = true;
      events.push(this.fastTrackEvent(term));
      this.log.info('fast-tracked', { appealId: term.a.id, ruleId: term.match.rule.id });
    }
    return events;
  }

  /** A term's `fast-tracked` history event. */
  private fastTrackEvent({ a, match, deadlines }: FastTrackTerm): HistoryEvent {
    return {
      appealId: a.id,
      type: 'fast-tracked',
      data: {
        ruleId: match.rule.id,
        ruleName: match.rule.name,
        keyword: match.keyword ?? null,
        termDays: deadlines.termDays,
        answerDueDate: deadlines.answerDueDate,
        answerDueAt: deadlines.answerDueAt,
      },
    };
  }

  private async suggestRoute(a: PipelineAppeal): Promise<string[]> {
    const suggestion = await this.routing.suggest({
      topicId: a.topic_id,
      subtopicId: a.subtopic_id,
      territoryCode: a.territory_code,
    });
    const ids = suggestion.organisationIds;
    if (JSON.stringify(ids) !== JSON.stringify(a.suggested)) {
      await this.appeals.setSuggested(a.id, ids);
      a.suggested = ids;
    }
    return ids;
  }
}

interface PassItem {
  a: PipelineAppeal;
  /** The row as the pass read it, which its decisions rest on. */
  before: PipelineAppeal;
  stemmed: StemmedText;
  decision?: TopicDecision;
  classification: 'auto' | 'manual' | 'confirmed' | 'unchanged';
}

type HistoryEvent = { appealId: string; type: string; data: Record<string, unknown> };

interface FastTrackTerm {
  a: PipelineAppeal;
  match: NonNullable<ReturnType<typeof matchFastTrack>>;
  deadlines: AppealDeadlines;
  applied: boolean;
}

/** Open and neither fast-tracked nor extended yet: what a fast-track rule may still shorten. */
function fastTrackable(a: PipelineAppeal): boolean {
  return !a.fast_track && !a.extended && (OPEN_STATUSES as readonly string[]).includes(a.status);
}

/** Whether what the pass decided on is still so (a clerk, a follow-up or an answer may have come since). */
function unchanged(before: PipelineAppeal, now: PassBasis | undefined): boolean {
  return (
    !!now &&
    now.classification_state === before.classification_state &&
    now.topic_id === before.topic_id &&
    now.subtopic_id === before.subtopic_id &&
    now.fast_track === before.fast_track &&
    now.extended === before.extended &&
    now.status === before.status &&
    now.text === before.text &&
    now.subject === before.subject
  );
}

/**
 * An appeal of the pass changed between its read and its lock (a clerk filed it, an answer came): the pass's
 * transaction is rolled back, and the pass is done again as the appeals are now (processPending).
 */
export class PassRaced extends Error {
  constructor(readonly appealIds: string[]) {
    super(`appeals changed during the classification pass: ${appealIds.length}`);
  }
}

function fullTextOf(a: { subject: string | null; text: string }): string {
  return a.subject ? `${a.subject}.\n${a.text}` : a.text;
}

/** Typical-need phrases of the rubricator found in the text, grouped by top-level topic. */
function keywordTopics(text: StemmedText, catalogue: Catalogue): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const topic of catalogue.list) {
    if (!topic.active || topic.typicalNeeds.length === 0) continue;
    const found = findPhrases(text, topic.typicalNeeds);
    if (found.length === 0) continue;
    const root = topic.parentId ?? topic.id;
    out.set(root, [...(out.get(root) ?? []), ...found]);
  }
  return out;
}
