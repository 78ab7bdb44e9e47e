/** What history says about one organisation for a topic (and territory). */
export interface OrganisationHistory {
  organisationId: string;
  /** Answers it sent on appeals of this topic. */
  answered: number;
  /** Of those, on appeals of this very subtopic (counted again: the closer match). */
  answeredSubtopic: number;
  /** Times it returned an appeal of this topic as misrouted, or was corrected away by a clerk. */
  returned: number;
}

export interface LearnedRoute {
  organisationId: string;
  score: number;
  share: number;
  answered: number;
  returned: number;
}

/** Below this many answers history says too little. */
export const MIN_HISTORY_SUPPORT = 3;
export const MAX_SUGGESTED = 3;

/**
 * Ranks organisations by what they did with appeals of this topic: an answer counts 1 (2 on the same
 * subtopic), a return as misrouted −2. Suggested are the best one and any other scoring at least half as
 * much (several bodies answer jointly), at most MAX_SUGGESTED; nothing when the evidence is thin.
 */
export function learnRoute(history: readonly OrganisationHistory[]): LearnedRoute[] {
  const scored = history
    .map((h) => ({
      organisationId: h.organisationId,
      score: h.answered + h.answeredSubtopic - 2 * h.returned,
      answered: h.answered,
      returned: h.returned,
    }))
    .filter((h) => h.score > 0)
    .sort((a, b) => b.score - a.score || a.organisationId.localeCompare(b.organisationId));
  const support = scored.reduce((sum, h) => sum + h.answered, 0);
  if (scored.length === 0 || support < MIN_HISTORY_SUPPORT) return [];
  const total = scored.reduce((sum, h) => sum + h.score, 0);
  const top = scored[0].score;
  return scored
    .filter((h) => h.score * 2 >= top)
    .slice(0, MAX_SUGGESTED)
    .map((h) => ({ ...h, share: Math.round((h.score / total) * 1000) / 1000 }));
}
