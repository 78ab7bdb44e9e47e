import { Injectable } from '@nestjs/common';
import { AppealHistoryRepository, OPEN_STATUSES } from '@inbox/appeals';
import { rootLogger } from '@inbox/common';
import { AppConfig } from '@inbox/config';
import { Transactions } from '@inbox/database';
import { computeAppealDeadlines, localDateOf, ProductionCalendar } from '@inbox/deadlines';
import { type ClusterInput, Incidents } from '@inbox/incidents';
import { LegalFlags } from '@inbox/legal-flags';
import { type Catalogue, TopicCatalogue } from '@inbox/rubricator';
import { findPhrases, stemText, type StemmedText, wordShingles } from '@inbox/text-classifier';
import { matchFastTrack } from '../fast-track/fast-track-match';
import { FastTrackRules } from '../fast-track/fast-track-rules.service';
import { type PipelineAppeal, PipelineAppealsRepository } from '../repositories/pipeline-appeals.repository';
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
  /** Asked when there is no promoted model: true leaves the appeal pending (a bootstrap model is on its way). */
  deferWithoutModel?: () => Promise<boolean>;
}

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

  async process(appealId: string, options: PipelineOptions = {}): Promise<PipelineOutcome> {
    const a = await this.load(appealId);
    if (!a) return { kind: 'missing' };
    let catalogue = await this.catalogue.get();
    const fullText = a.subject ? `${a.subject}.\n${a.text}` : a.text;
    const stemmed = stemText(fullText);
    let classification: 'auto' | 'manual' | 'confirmed' | 'unchanged' = 'unchanged';
    let decision: TopicDecision | undefined;

    if (a.classification_state === 'pending') {
      if (a.topic_id) {
        // A person chose the topic before the model got to it: that choice stands.
        await this.appeals.confirmPending(a.id);
        classification = 'confirmed';
      } else {
        const model = await this.registry.promoted();
        if (!model) {
          if (options.deferWithoutModel && (await options.deferWithoutModel())) return { kind: 'deferred' };
          await this.queueManual(a, { reason: 'no-model', confidence: null, modelId: null, suggestions: [] });
          classification = 'manual';
        } else {
          const input = storedAppealInput(a);
          const mapped = this.catalogue.mappedTopic(catalogue, a.channel, a.channel_category);
          const started = performance.now();
          const decide = (c: Catalogue) =>
            decideTopic(model.classifier, input, c, this.config.classifierMinConfidence, mapped);
          decision = decide(catalogue);
          if (decision.reason === 'unknown-topic' && !catalogue.byCode.has(decision.label)) {
            // A topic added a moment ago (the model was trained after it): read the rubricator again.
            this.catalogue.invalidate();
            catalogue = await this.catalogue.get();
            decision = decide(catalogue);
          }
          const ms = Math.round((performance.now() - started) * 100) / 100;
          const suggestions = decision.signals.slice(0, 3).map((s) => ({
            topicId: s.topicId,
            subtopicId: s.subtopicId,
            confidence: s.confidence,
          }));
          if (decision.accepted) {
            const applied = await this.applyAuto(a, decision, model.id, stemmed, catalogue, ms);
            if (applied) {
              a.topic_id = decision.topicId;
              a.subtopic_id = decision.subtopicId;
              classification = 'auto';
            }
          } else {
            await this.queueManual(a, {
              reason: decision.reason,
              confidence: decision.confidence,
              modelId: model.id,
              suggestions,
            });
            classification = 'manual';
          }
          this.log.debug('classified', {
            appealId: a.id,
            accepted: decision.accepted,
            reason: decision.reason,
            ms,
          });
        }
      }
    }

    const fastTracked = await this.applyFastTrack(a, stemmed);
    const suggestedOrganisationIds = (
      await this.routing.suggest({
        topicId: a.topic_id,
        subtopicId: a.subtopic_id,
        territoryCode: a.territory_code,
      })
    ).organisationIds;
    const raised = await this.flags.detectAndRaise(
      {
        appealId: a.id,
        regime: a.regime,
        hasSurname: a.has_surname,
        hasPostalAddress: a.has_postal_address,
        hasEmail: a.has_email,
        text: stemmed,
        shingles: wordShingles(fullText),
        signals: decision?.signals ?? [],
        keywordTopics: keywordTopics(stemmed, catalogue),
      },
      {
        repeatedSimilarity: this.config.repeatedAppealSimilarity,
        multiTopicConfidence: this.config.classifierMultiTopicConfidence,
      },
    );
    const incident = await this.incidents.cluster(clusterInput(a));
    // The route and the end of the pass in one write (classified_at: the first pass only).
    await this.appeals.finishPass(a.id, suggestedOrganisationIds);
    return {
      kind: 'done',
      classification,
      fastTracked,
      flags: raised,
      incidentId: incident?.incidentId,
      suggestedOrganisationIds,
    };
  }

  /** Appeals registered over `olderThanMs` ago that the pipeline never got to (up to 1000), for the sweep. */
  stalePending(olderThanMs: number): Promise<string[]> {
    return this.appeals.stalePending(olderThanMs, 1000);
  }

  /**
   * After a person changed the topic: the topic-dependent steps again (fast-track rules by topic, the
   * routing suggestion, incidents by address and topic).
   */
  async afterReclassification(appealId: string): Promise<void> {
    const a = await this.load(appealId);
    if (!a) return;
    const stemmed = stemText(a.subject ? `${a.subject}.\n${a.text}` : a.text);
    await this.applyFastTrack(a, stemmed);
    await this.suggestRoute(a);
    await this.incidents.cluster(clusterInput(a));
  }

  private load(appealId: string): Promise<PipelineAppeal | undefined> {
    return this.appeals.load(appealId);
  }

  private async applyAuto(
    a: PipelineAppeal,
    d: TopicDecision,
    modelId: string,
    stemmed: StemmedText,
    catalogue: Catalogue,
    ms: number,
  ): Promise<boolean> {
    const leaf = catalogue.byId.get(d.subtopicId ?? d.topicId!);
    const typicalNeed = leaf ? bestTypicalNeed(stemmed, leaf.typicalNeeds) : undefined;
    return this.transactions.run(async (tx) => {
      const applied = await this.appeals.applyAuto(tx, a.id, {
        topicId: d.topicId,
        subtopicId: d.subtopicId,
        typicalNeed: typicalNeed ?? null,
        confidence: d.confidence,
        modelId,
      });
      if (!applied) return false;
      await this.history.append(tx, a.id, 'auto-classified', null, {
        topicId: d.topicId,
        subtopicId: d.subtopicId,
        topic: catalogue.byId.get(d.topicId!)?.code ?? null,
        subtopic: d.subtopicId ? (catalogue.byId.get(d.subtopicId)?.code ?? null) : null,
        typicalNeed: typicalNeed ?? null,
        confidence: d.confidence,
        margin: d.margin,
        model: modelId,
        modelId,
        source: d.reason === 'channel-category' ? 'channel-category' : 'model',
        ms,
      });
      return true;
    });
  }

  private async queueManual(
    a: PipelineAppeal,
    info: {
      reason: string;
      confidence: number | null;
      modelId: string | null;
      suggestions: { topicId: string; subtopicId: string | null; confidence: number }[];
    },
  ): Promise<void> {
    await this.transactions.run(async (tx) => {
      const queued = await this.appeals.queueManual(tx, a.id, info);
      // Without a model there is nothing to tell the clerk (no suggestions): the state says it all.
      if (!queued || info.reason === 'no-model') return;
      await this.history.append(tx, a.id, 'classification-queued', null, info);
    });
  }

  /** The region's rules: a match on an open, not yet fast-tracked appeal → 10 days from registration. */
  private async applyFastTrack(a: PipelineAppeal, stemmed: StemmedText): Promise<boolean> {
    if (a.fast_track || a.extended || !(OPEN_STATUSES as readonly string[]).includes(a.status)) return false;
    const rules = await this.fastTrack.active();
    if (rules.length === 0) return false;
    const registeredAt = new Date(a.registered_at);
    const match = matchFastTrack(rules, {
      text: stemmed,
      channel: a.channel,
      topicIds: [a.topic_id, a.subtopic_id].filter((t): t is string => !!t),
      month: Number(localDateOf(registeredAt, a.time_zone).slice(5, 7)),
    });
    if (!match) return false;
    const deadlines = computeAppealDeadlines({
      receivedAt: new Date(a.received_at),
      registeredAt,
      fastTrack: true,
      timeZone: a.time_zone,
      calendar: this.calendar,
      lastDayRule: this.config.lastDayRule,
      answerDays: this.config.answerDays,
      fastTrackDays: this.config.fastTrackDays,
    });
    const applied = await this.transactions.run(async (tx) => {
      if (!(await this.appeals.fastTrack(tx, a.id, deadlines))) return false;
      await this.history.append(tx, a.id, 'fast-tracked', null, {
        ruleId: match.rule.id,
        ruleName: match.rule.name,
        keyword: match.keyword ?? null,
        termDays: deadlines.termDays,
        answerDueDate: deadlines.answerDueDate,
        answerDueAt: deadlines.answerDueAt,
      });
      return true;
    });
    if (applied) {
      a.fast_track = true;
      this.log.info('fast-tracked', { appealId: a.id, ruleId: match.rule.id });
    }
    return applied;
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

/** What incident grouping reads of an appeal. */
function clusterInput(a: PipelineAppeal): ClusterInput {
  return {
    id: a.id,
    registeredAt: new Date(a.registered_at),
    topicId: a.topic_id,
    subject: a.subject,
    text: a.text,
    address: a.address,
  };
}
