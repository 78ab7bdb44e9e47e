import { compilePhrase, type CompiledPhrase, containsPhrase, type StemmedText } from '@inbox/text-classifier';

/** A regional fast-track rule (data an administrator edits). Every condition given must hold. */
export interface FastTrackRuleData {
  id: string;
  name: string;
  /** A topic or subtopic; a topic also covers its subtopics. */
  topicId: string | null;
  /** Any one of the phrases in the text (matched by stems; `слово*` matches by prefix). Empty = no condition. */
  keywords: string[];
  /** Any one of these channels. Empty = every channel. */
  channels: string[];
  /** Months 1–12 in the appeal's time zone (the heating season…). Empty = all year. */
  months: number[];
  active: boolean;
}

export interface FastTrackSubject {
  text: StemmedText;
  channel: string;
  /** The appeal's topic and subtopic ids (either may be missing). */
  topicIds: readonly string[];
  /** Month of registration, 1–12, in the appeal's time zone. */
  month: number;
}

export interface FastTrackMatch {
  rule: FastTrackRuleData;
  /** The keyword that matched, when the rule has keywords. */
  keyword?: string;
}

const compiled = new WeakMap<FastTrackRuleData, { keyword: string; phrase: CompiledPhrase }[]>();

function phrasesOf(rule: FastTrackRuleData) {
  let list = compiled.get(rule);
  if (!list) {
    list = rule.keywords.map((keyword) => ({ keyword, phrase: compilePhrase(keyword) }));
    compiled.set(rule, list);
  }
  return list;
}

/** Whether one rule fires on the appeal; with the matching keyword. */
export function matchRule(rule: FastTrackRuleData, subject: FastTrackSubject): FastTrackMatch | undefined {
  if (!rule.active) return undefined;
  if (!rule.topicId && rule.keywords.length === 0 && rule.channels.length === 0) return undefined;
  if (rule.topicId && !subject.topicIds.includes(rule.topicId)) return undefined;
  if (rule.channels.length > 0 && !rule.channels.includes(subject.channel)) return undefined;
  if (rule.months.length > 0 && !rule.months.includes(subject.month)) return undefined;
  if (rule.keywords.length === 0) return { rule };
  const hit = phrasesOf(rule).find((p) => containsPhrase(subject.text, p.phrase));
  return hit ? { rule, keyword: hit.keyword } : undefined;
}

/** The first rule that fires, rules taken by name (stable, so the same rule wins every time). */
export function matchFastTrack(
  rules: readonly FastTrackRuleData[],
  subject: FastTrackSubject,
): FastTrackMatch | undefined {
  const ordered = [...rules].sort((a, b) => a.name.localeCompare(b.name, 'ru') || a.id.localeCompare(b.id));
  for (const rule of ordered) {
    const match = matchRule(rule, subject);
    if (match) return match;
  }
  return undefined;
}
