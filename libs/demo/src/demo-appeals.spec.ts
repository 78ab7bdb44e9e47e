import { generateDemoAppeals, type DemoAppeal, type DemoChannel } from './demo-appeals';
import { DEMO_ORGANISATIONS } from './demo-organisations';
import { DEMO_TOPICS } from './demo-topics';

const NOW = new Date('2025-02-10T04:30:00Z');
const DAY_MS = 24 * 3600 * 1000;
const topicByCode = new Map(DEMO_TOPICS.map((t) => [t.code, t]));
const territoryCodes = new Set(DEMO_ORGANISATIONS.flatMap((o) => o.territoryCodes ?? []));
const SOCIAL: DemoChannel[] = ['vk', 'ok', 'telegram'];

describe('generateDemoAppeals', () => {
  const items = generateDemoAppeals({ count: 1000, seed: 42, now: NOW });

  it('is deterministic for a seed and varies with the seed', () => {
    expect(generateDemoAppeals({ count: 1000, seed: 42, now: NOW })).toEqual(items);
    const other = generateDemoAppeals({ count: 1000, seed: 43, now: NOW });
    expect(other.map((i) => i.text)).not.toEqual(items.map((i) => i.text));
  });

  it('uses the default seed when none is given', () => {
    expect(generateDemoAppeals({ count: 20, now: NOW })).toEqual(
      generateDemoAppeals({ count: 20, now: NOW }),
    );
  });

  it('returns exactly count items and rejects a bad count', () => {
    expect(items).toHaveLength(1000);
    expect(generateDemoAppeals({ count: 0, now: NOW })).toEqual([]);
    expect(() => generateDemoAppeals({ count: -1, now: NOW })).toThrow();
    expect(() => generateDemoAppeals({ count: 1.5, now: NOW })).toThrow();
    expect(() => generateDemoAppeals({ count: 1, now: new Date('invalid') })).toThrow();
  });

  it('produces unique (channel, externalId) pairs', () => {
    const keys = items.map((i) => `${i.channel}\u0000${i.externalId}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const i of items) expect(i.externalId.length).toBeGreaterThan(0);
  });

  it('spreads items over the 40 days before now, in time order', () => {
    const times = items.map((i) => Date.parse(i.receivedAt));
    for (const t of times) {
      expect(t).toBeLessThan(NOW.getTime());
      expect(t).toBeGreaterThanOrEqual(NOW.getTime() - 40 * DAY_MS);
    }
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    expect(Math.min(...times)).toBeLessThan(NOW.getTime() - 35 * DAY_MS);
    for (const i of items) expect(new Date(i.receivedAt).toISOString()).toBe(i.receivedAt);
  });

  it('refers only to existing topics, subtopics and territories', () => {
    for (const i of items) {
      expect(topicByCode.get(i.topicCode)?.parentCode).toBeUndefined();
      expect(topicByCode.get(i.subtopicCode)?.parentCode).toBe(i.topicCode);
      if (i.territoryCode !== undefined) expect(territoryCodes.has(i.territoryCode)).toBe(true);
    }
    expect(items.filter((i) => i.territoryCode !== undefined).length).toBeGreaterThan(items.length / 2);
  });

  it('gives at least 150 distinct texts in 200 items', () => {
    const small = generateDemoAppeals({ count: 200, seed: 7, now: NOW });
    expect(new Set(small.map((i) => i.text)).size).toBeGreaterThanOrEqual(150);
  });

  it('fills every placeholder', () => {
    for (const i of items) {
      expect(i.text).not.toMatch(/[{}]|undefined|NaN/);
      if (i.subject) expect(i.subject).not.toMatch(/[{}]|undefined/);
      if (i.address) expect(i.address).not.toMatch(/undefined/);
    }
  });

  it('marks about 8% as fast-track, each with a fast-track keyword of its subtopic', () => {
    const fast = items.filter((i) => i.fastTrack);
    expect(fast.length / items.length).toBeGreaterThan(0.05);
    expect(fast.length / items.length).toBeLessThan(0.11);
    for (const i of fast) {
      const keywords = topicByCode.get(i.subtopicCode)?.fastTrackKeywords ?? [];
      expect(keywords.some((k) => i.text.toLowerCase().includes(k))).toBe(true);
    }
  });

  it('uses every channel with its regime rules', () => {
    const byChannel = new Map<DemoChannel, DemoAppeal[]>();
    for (const i of items) byChannel.set(i.channel, [...(byChannel.get(i.channel) ?? []), i]);
    expect([...byChannel.keys()].sort()).toEqual([
      'email',
      'medo',
      'ok',
      'operator',
      'pos',
      'telegram',
      'vk',
      'website',
    ]);
    for (const i of byChannel.get('website')!) expect(i.regime).toBe('appeal');
    for (const i of byChannel.get('medo')!) expect(i.regime).toBe('appeal');
    for (const i of byChannel.get('email')!) expect(i.regime).toBe('message');
    for (const c of SOCIAL) for (const i of byChannel.get(c)!) expect(i.regime).toBe('message');
    const pos = byChannel.get('pos')!;
    const posMessages = pos.filter((i) => i.regime === 'message').length;
    expect(posMessages).toBeGreaterThan(pos.length / 2);
    expect(posMessages).toBeLessThan(pos.length);
  });

  it('fills authors the way each channel does', () => {
    for (const i of items) {
      const a = i.author;
      if (a.phone) expect(a.phone).toMatch(/^\+79\d{9}$/);
      if (a.email) expect(a.email).toMatch(/^[a-z0-9._]+@[a-z]+\.test$/);
      if (SOCIAL.includes(i.channel)) {
        expect(a.displayName).toBeTruthy();
        expect(a.externalId).toMatch(/^\d+$/);
        expect(a.patronymic).toBeUndefined();
      }
      if (
        i.channel === 'pos' ||
        i.channel === 'website' ||
        i.channel === 'medo' ||
        i.channel === 'operator'
      ) {
        expect(a.surname && a.firstName).toBeTruthy();
      }
      if (i.channel === 'email') expect(a.email).toBeTruthy();
      if (i.channel === 'operator') expect(a.phone).toBeTruthy();
      if (i.channel === 'medo') expect(a.postalAddress).toBeTruthy();
    }
    const socialWithNameOnly = items.filter((i) => SOCIAL.includes(i.channel) && !i.author.surname);
    expect(socialWithNameOnly.length).toBeGreaterThan(
      items.filter((i) => SOCIAL.includes(i.channel)).length / 2,
    );
  });

  it('agrees surnames with the gender of the patronymic', () => {
    for (const { author } of items) {
      if (!author.surname || !author.patronymic) continue;
      const female = /(вна|чна)$/.test(author.patronymic);
      if (female) expect(author.surname).not.toMatch(/(ов|ев|ёв|ин|ский|цкий|ой)$/);
      else expect(author.surname).not.toMatch(/(ова|ева|ёва|ина|ская|цкая|ая)$/);
    }
  });

  it('keeps working in every season of the year', () => {
    for (let month = 0; month < 12; month++) {
      const now = new Date(Date.UTC(2025, month, 15, 3));
      const batch = generateDemoAppeals({ count: 300, seed: month, now });
      expect(batch).toHaveLength(300);
      for (const i of batch) expect(i.text).not.toMatch(/[{}]/);
    }
  });

  it('does not complain about missing heating in July', () => {
    const summer = generateDemoAppeals({ count: 1000, seed: 5, now: new Date('2025-07-20T03:00:00Z') });
    expect(summer.some((i) => /нет отопления/i.test(i.text))).toBe(false);
  });
});
