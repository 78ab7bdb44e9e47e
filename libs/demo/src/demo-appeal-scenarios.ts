import SCENARIOS from './demo-appeal-scenarios.json';

/**
 * Text templates of demo appeals, grouped by subtopic. Placeholders in braces are filled by the generator
 * (see demo-appeals.ts): `{house}` 'ул. Ленина, 15', `{street}`, `{locIn}` 'в Северогорске', `{stop}`,
 * `{village}` 'с. Камышлово', `{duration}` 'третий день'… A placeholder starting with a capital letter yields
 * a capitalised value. `{g:masculine|feminine}` agrees with the author's gender.
 */

/**
 * Where the problem is: a city (stops, routes, polyclinics), any rural place, a village that is not a
 * district centre (so it has a centre to travel to), or anywhere.
 */
export type ScenarioPlace = 'city' | 'rural' | 'village' | 'any';
/** Decides the closing phrase: a complaint asks for measures, a question for an explanation. */
export type ScenarioTone = 'complaint' | 'question' | 'gratitude';
/** heating: October–April; winter: November–March; summer: May–September; fire: April–September. */
export type ScenarioSeason = 'heating' | 'winter' | 'summer' | 'fire';

export interface AppealScenario {
  subtopicCode: string;
  place: ScenarioPlace;
  tone: ScenarioTone;
  season?: ScenarioSeason;
  /** Urgent situations: the texts contain one of the subtopic's fastTrackKeywords. */
  fastTrack?: boolean;
  subject: string;
  texts: string[];
}

/**
 * The templates as data (demo-appeal-scenarios.json), grouped by subtopic; the file's values are the types'
 * (demo-topics.spec checks every scenario's place, tone and season).
 */
export const APPEAL_SCENARIOS: readonly AppealScenario[] = Object.entries(
  SCENARIOS as Record<string, Omit<AppealScenario, 'subtopicCode'>[]>,
).flatMap(([subtopicCode, scenarios]) => scenarios.map((s) => ({ subtopicCode, ...s })));
