import { APPEAL_SCENARIOS } from './demo-appeal-scenarios';
import { DEMO_ORGANISATIONS } from './demo-organisations';
import { DEMO_TOPICS } from './demo-topics';

const topicByCode = new Map(DEMO_TOPICS.map((t) => [t.code, t]));
const orgCodes = new Set(DEMO_ORGANISATIONS.map((o) => o.code));

describe('DEMO_TOPICS', () => {
  it('has unique codes', () => {
    const codes = DEMO_TOPICS.map((t) => t.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(code).toMatch(/^[a-z][a-z-]+$/);
  });

  it('is a two-level rubricator with about ten top-level topics of 3–7 subtopics each', () => {
    const top = DEMO_TOPICS.filter((t) => t.parentCode === undefined);
    expect(top.length).toBeGreaterThanOrEqual(10);
    for (const t of top) {
      const children = DEMO_TOPICS.filter((c) => c.parentCode === t.code);
      expect(children.length).toBeGreaterThanOrEqual(3);
      expect(children.length).toBeLessThanOrEqual(7);
    }
    for (const t of DEMO_TOPICS.filter((c) => c.parentCode !== undefined)) {
      const parent = topicByCode.get(t.parentCode!);
      expect(parent).toBeDefined();
      expect(parent!.parentCode).toBeUndefined();
    }
  });

  it('routes every topic to an existing organisation', () => {
    for (const t of DEMO_TOPICS) {
      expect(t.defaultOrganisationCode).toBeDefined();
      expect(orgCodes.has(t.defaultOrganisationCode!)).toBe(true);
    }
  });

  it('keeps fast-track keywords on subtopics, lower-case', () => {
    for (const t of DEMO_TOPICS) {
      if (!t.fastTrackKeywords) continue;
      expect(t.parentCode).toBeDefined();
      for (const k of t.fastTrackKeywords) expect(k).toBe(k.toLowerCase());
    }
  });
});

describe('APPEAL_SCENARIOS', () => {
  it('refers only to subtopics and covers every subtopic', () => {
    const used = new Set(APPEAL_SCENARIOS.map((s) => s.subtopicCode));
    for (const code of used) expect(topicByCode.get(code)?.parentCode).toBeDefined();
    const subtopics = DEMO_TOPICS.filter((t) => t.parentCode !== undefined).map((t) => t.code);
    expect(subtopics.filter((code) => !used.has(code))).toEqual([]);
  });

  it('holds only the places, tones and seasons the generator knows (the data file is not type-checked)', () => {
    for (const s of APPEAL_SCENARIOS) {
      expect(['city', 'rural', 'village', 'any']).toContain(s.place);
      expect(['complaint', 'question', 'gratitude']).toContain(s.tone);
      if (s.season !== undefined) expect(['heating', 'winter', 'summer', 'fire']).toContain(s.season);
      if (s.fastTrack !== undefined) expect(s.fastTrack).toBe(true);
      expect(s.subject).not.toBe('');
      expect(s.texts.length).toBeGreaterThan(0);
    }
  });

  it('puts a fast-track keyword of the subtopic in every urgent text and in no other text', () => {
    const allKeywords = DEMO_TOPICS.flatMap((t) => t.fastTrackKeywords ?? []);
    for (const scenario of APPEAL_SCENARIOS) {
      const keywords = topicByCode.get(scenario.subtopicCode)!.fastTrackKeywords ?? [];
      for (const text of scenario.texts) {
        const lower = text.toLowerCase();
        if (scenario.fastTrack) expect(keywords.some((k) => lower.includes(k))).toBe(true);
        else expect(allKeywords.filter((k) => lower.includes(k))).toEqual([]);
      }
    }
  });
});
