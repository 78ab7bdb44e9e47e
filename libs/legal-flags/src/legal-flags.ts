import { findPhrases, type StemmedText } from '@inbox/text-classifier';
import { jaccard } from '@inbox/text-classifier';
import WORDS from './offensive-words.json';

/**
 * 59-ФЗ grounds that a person must weigh: the product only raises them, with evidence; nothing about the
 * appeal changes until someone confirms. Pure functions: the service feeds them what it loaded.
 */
export enum LegalFlag {
  /** ст. 11 ч. 1: no surname, or no postal / e-mail address for the answer. */
  Anonymous = 'anonymous',
  /** ст. 11 ч. 3: obscene or insulting language, threats to an official's life, health or property. */
  Offensive = 'offensive',
  /** ст. 11 ч. 2: a court decision is being appealed. */
  CourtDecision = 'court-decision',
  /** ст. 11 ч. 5: the same applicant, near-identical text, the earlier appeal answered — no new arguments. */
  Repeated = 'repeated',
  /** Several questions of different topics in one item (to split or to send to several bodies). */
  SeveralTopics = 'several-topics',
}

export const LEGAL_FLAGS: readonly LegalFlag[] = Object.values(LegalFlag);

export const LEGAL_FLAG_TEXT_RU: Record<LegalFlag, string> = {
  [LegalFlag.Anonymous]:
    'Не указаны фамилия или почтовый (электронный) адрес для ответа — ч. 1 ст. 11 Федерального закона № 59-ФЗ',
  [LegalFlag.Offensive]:
    'Нецензурные или оскорбительные выражения, угрозы должностному лицу — ч. 3 ст. 11 Федерального закона № 59-ФЗ',
  [LegalFlag.CourtDecision]: 'Обжалуется судебное решение — ч. 2 ст. 11 Федерального закона № 59-ФЗ',
  [LegalFlag.Repeated]:
    'Повторное обращение без новых доводов, на предыдущее дан ответ — ч. 5 ст. 11 Федерального закона № 59-ФЗ',
  [LegalFlag.SeveralTopics]: 'В обращении несколько вопросов разных тем',
};

export interface ApplicantContacts {
  regime: string;
  hasSurname: boolean;
  hasPostalAddress: boolean;
  hasEmail: boolean;
}

/** Only 59-ФЗ appeals (not ПОС-style messages) must carry the surname and an address for the answer. */
export function detectAnonymous(a: ApplicantContacts): { missing: string[] } | undefined {
  if (a.regime !== 'appeal') return undefined;
  const missing: string[] = [];
  if (!a.hasSurname) missing.push('surname');
  if (!a.hasPostalAddress && !a.hasEmail) missing.push('postalAddressOrEmail');
  return missing.length > 0 ? { missing } : undefined;
}

const startsWithAny = (word: string, roots: readonly string[]) => roots.some((r) => word.startsWith(r));

/** Roots of the word list found in the text (words, not stems: the list holds word beginnings). */
export function detectOffensive(
  text: StemmedText,
): { obscene: string[]; insults: string[]; threats: string[]; count: number } | undefined {
  const obscene = new Set<string>();
  const insults = new Set<string>();
  const threats = new Set<string>();
  let count = 0;
  for (const word of text.words) {
    if (startsWithAny(word, WORDS.exceptions)) continue;
    const o = WORDS.obsceneRoots.find((r) => word.startsWith(r));
    const i = o ? undefined : WORDS.insultRoots.find((r) => word.startsWith(r));
    const t = o || i ? undefined : WORDS.threatWords.find((w) => word === w);
    if (o) obscene.add(o);
    if (i) insults.add(i);
    if (t) threats.add(t);
    if (o || i || t) count++;
  }
  if (count === 0) return undefined;
  return { obscene: [...obscene], insults: [...insults], threats: [...threats], count };
}

/** Phrases that name a court decision being contested (matched by stems). */
export const COURT_PHRASES = [
  'решение суда',
  'решением суда',
  'судебное решение',
  'решение районного суда',
  'решение мирового судьи',
  'обжаловать приговор',
  'обжаловать решение',
  'пересмотреть приговор',
  'несправедливый приговор',
  'приговор суда',
  'определение суда',
  'апелляционная жалоба',
  'кассационная жалоба',
];

export function detectCourtDecision(text: StemmedText): { phrases: string[] } | undefined {
  const phrases = findPhrases(text, COURT_PHRASES);
  return phrases.length > 0 ? { phrases } : undefined;
}

export interface EarlierAppeal {
  id: string;
  registrationNumber: string;
  shingles: ReadonlySet<string>;
}

/** The most similar earlier answered appeal of the same applicant at or above the threshold. */
export function detectRepeated(
  shingles: ReadonlySet<string>,
  earlier: readonly EarlierAppeal[],
  threshold: number,
): { earlierAppealId: string; earlierRegistrationNumber: string; similarity: number } | undefined {
  let best: { e: EarlierAppeal; similarity: number } | undefined;
  for (const e of earlier) {
    const similarity = jaccard(shingles, e.shingles);
    if (similarity >= threshold && (!best || similarity > best.similarity)) best = { e, similarity };
  }
  return best
    ? {
        earlierAppealId: best.e.id,
        earlierRegistrationNumber: best.e.registrationNumber,
        similarity: Math.round(best.similarity * 1000) / 1000,
      }
    : undefined;
}

export interface TopicSignal {
  /** The top-level topic the label belongs to. */
  rootTopicId: string;
  label: string;
  confidence: number;
  /** The one-vs-rest margin: positive when that label's own classifier claims the item. */
  margin: number;
}

/**
 * Several topics: two labels of different top-level topics both confident, or both claimed by their own
 * one-vs-rest classifier, or typical-need phrases of two different top-level topics found in the text.
 */
export function detectSeveralTopics(
  signals: readonly TopicSignal[],
  keywordTopics: ReadonlyMap<string, string[]>,
  minConfidence: number,
): { topicIds: string[]; by: string[]; phrases?: Record<string, string[]> } | undefined {
  const by: string[] = [];
  const topics = new Set<string>();
  const confident = distinctRoots(signals.filter((s) => s.confidence >= minConfidence));
  if (confident.length >= 2) {
    by.push('confidence');
    confident.forEach((s) => topics.add(s.rootTopicId));
  }
  const claimed = distinctRoots(signals.filter((s) => s.margin > 0));
  if (claimed.length >= 2) {
    by.push('margins');
    claimed.forEach((s) => topics.add(s.rootTopicId));
  }
  if (keywordTopics.size >= 2) {
    by.push('keywords');
    for (const id of keywordTopics.keys()) topics.add(id);
  }
  if (by.length === 0) return undefined;
  return {
    topicIds: [...topics],
    by,
    ...(keywordTopics.size >= 2 ? { phrases: Object.fromEntries(keywordTopics) } : {}),
  };
}

function distinctRoots(signals: readonly TopicSignal[]): TopicSignal[] {
  const seen = new Map<string, TopicSignal>();
  for (const s of signals) if (!seen.has(s.rootTopicId)) seen.set(s.rootTopicId, s);
  return [...seen.values()];
}
