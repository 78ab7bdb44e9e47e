import { type TopicSignal } from '@inbox/legal-flags';
import { type CatalogueTopic } from '@inbox/rubricator';
import {
  type ClassifierInput,
  compiledPhrase,
  type Prediction,
  type StemmedText,
  type TextClassifier,
} from '@inbox/text-classifier';

export type DecisionReason =
  /** The model is confident and its own one-vs-rest classifier claims the item. */
  | 'confident'
  /** The model is not, but the channel's own category is mapped onto one of our topics. */
  | 'channel-category'
  | 'low-confidence'
  /** No one-vs-rest classifier claims the item (every margin negative): outside what the model knows. */
  | 'out-of-domain'
  /** The model's label is not an active topic of the rubricator any more. */
  | 'unknown-topic';

export { type CatalogueTopic };

export interface TopicDecision {
  accepted: boolean;
  reason: DecisionReason;
  topicId: string | null;
  subtopicId: string | null;
  label: string;
  confidence: number;
  margin: number;
  /** Every label the model ranked, for the several-topics flag and the clerk's suggestions. */
  signals: (TopicSignal & { topicId: string; subtopicId: string | null })[];
}

/** The topic and subtopic a leaf code stands for, when it and its parent are active. */
export function resolveLabel(
  code: string,
  byCode: ReadonlyMap<string, CatalogueTopic>,
  byId: ReadonlyMap<string, CatalogueTopic>,
): { topicId: string; subtopicId: string | null } | undefined {
  const topic = byCode.get(code);
  if (!topic?.active) return undefined;
  if (!topic.parentId) return { topicId: topic.id, subtopicId: null };
  return byId.get(topic.parentId)?.active ? { topicId: topic.parentId, subtopicId: topic.id } : undefined;
}

/**
 * Predicts and decides: accepted when the calibrated confidence reaches the threshold AND the label's own
 * classifier claims the item (margin ≥ 0) — a softmax over margins that are all negative can still look
 * confident, and such an item is simply unlike anything the model learned. Otherwise the channel's mapped
 * category is used when there is one, else the item goes to the manual queue.
 */
export function decideTopic(
  model: TextClassifier,
  input: ClassifierInput,
  catalogue: { byCode: ReadonlyMap<string, CatalogueTopic>; byId: ReadonlyMap<string, CatalogueTopic> },
  minConfidence: number,
  mappedTopic?: CatalogueTopic,
): TopicDecision & { prediction: Prediction } {
  const { prediction, scores: margins } = model.predictWithScores(input, Math.min(5, model.labels.length));
  const marginOf = (label: string) => {
    const i = model.labelIndex(label);
    return i >= 0 ? margins[i] : Number.NEGATIVE_INFINITY;
  };
  const signals: TopicDecision['signals'] = [];
  for (const t of prediction.top) {
    const resolved = resolveLabel(t.label, catalogue.byCode, catalogue.byId);
    if (!resolved) continue;
    signals.push({
      ...resolved,
      rootTopicId: resolved.topicId,
      label: t.label,
      confidence: t.confidence,
      margin: round(marginOf(t.label)),
    });
  }
  const best = resolveLabel(prediction.label, catalogue.byCode, catalogue.byId);
  const margin = marginOf(prediction.label);
  const base = {
    label: prediction.label,
    confidence: prediction.confidence,
    margin: round(margin),
    signals,
    prediction,
  };
  if (best && prediction.confidence >= minConfidence && margin >= 0) {
    return { ...base, accepted: true, reason: 'confident', ...best };
  }
  if (mappedTopic?.active) {
    const mapped = mappedTopic.parentId
      ? { topicId: mappedTopic.parentId, subtopicId: mappedTopic.id }
      : best?.topicId === mappedTopic.id
        ? best
        : { topicId: mappedTopic.id, subtopicId: null };
    return { ...base, accepted: true, reason: 'channel-category', ...mapped };
  }
  const reason: DecisionReason = !best ? 'unknown-topic' : margin < 0 ? 'out-of-domain' : 'low-confidence';
  return { ...base, accepted: false, reason, topicId: null, subtopicId: null };
}

/**
 * The typical need of the topic that the text speaks of most: the need whose words (stems) are most
 * covered by the text, when at least half of them are there.
 */
export function bestTypicalNeed(text: StemmedText, needs: readonly string[]): string | undefined {
  const stems = new Set(text.stems);
  let best: { need: string; score: number } | undefined;
  for (const need of needs) {
    const words = compiledPhrase(need).filter((w) => w.stem.length > 2);
    if (words.length === 0) continue;
    const score = words.filter((w) => stems.has(w.stem)).length / words.length;
    if (score >= 0.5 && (!best || score > best.score)) best = { need, score };
  }
  return best?.need;
}

function round(value: number): number {
  return Number.isFinite(value) ? Math.round(value * 10_000) / 10_000 : value;
}
