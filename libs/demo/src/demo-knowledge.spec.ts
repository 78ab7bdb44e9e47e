import { normaliseArticle } from '@inbox/knowledge';
import { APPEAL_SCENARIOS } from './demo-appeal-scenarios';
import { DEMO_ARTICLES, directoryArticles, scheduleRu } from './demo-knowledge';
import { DEMO_ORGANISATIONS } from './demo-organisations';
import { DEMO_TOPICS } from './demo-topics';

describe('demo knowledge base', () => {
  it('has an FAQ, by the competent body, for every subtopic the demo appeals are about', () => {
    const missing = [...new Set(APPEAL_SCENARIOS.map((s) => s.subtopicCode))].filter((code) => {
      const owner = DEMO_TOPICS.find((t) => t.code === code)?.defaultOrganisationCode;
      return !DEMO_ARTICLES.some((a) => a.kind === 'faq' && a.topic === code && a.org === owner);
    });
    expect(missing).toEqual([]);
  });

  it('is valid content throughout: known organisations and topics, templates with known placeholders', () => {
    const orgs = new Set(DEMO_ORGANISATIONS.map((o) => o.code));
    const topics = new Set(DEMO_TOPICS.map((t) => t.code));
    for (const a of [...DEMO_ARTICLES, ...directoryArticles()]) {
      expect(orgs.has(a.org)).toBe(true);
      if (a.topic) expect(topics.has(a.topic)).toBe(true);
      expect(() => normaliseArticle({ ...a, topicId: undefined })).not.toThrow();
    }
    expect(DEMO_ARTICLES.filter((a) => a.kind === 'template').length).toBeGreaterThanOrEqual(10);
    expect(new Set(DEMO_ARTICLES.map((a) => a.title)).size).toBe(DEMO_ARTICLES.length);
  });

  it('writes reception schedules from the directory', () => {
    const week = { start: '09:00', end: '18:00' };
    expect(scheduleRu({ 1: week, 2: week, 3: week, 4: week, 5: { start: '09:00', end: '17:00' } })).toBe(
      'Пн–Чт 09:00–18:00; Пт 09:00–17:00; Сб–Вс выходной',
    );
  });
});
