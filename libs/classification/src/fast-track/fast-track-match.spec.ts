import { stemText } from '@inbox/text-classifier';
import { type FastTrackRuleData, matchFastTrack, matchRule } from './fast-track-match';

const rule = (overrides: Partial<FastTrackRuleData>): FastTrackRuleData => ({
  id: 'r',
  name: 'правило',
  topicId: null,
  keywords: [],
  channels: [],
  months: [],
  active: true,
  ...overrides,
});

const subject = (
  text: string,
  overrides: Partial<{ channel: string; topicIds: string[]; month: number }> = {},
) => ({
  text: stemText(text),
  channel: overrides.channel ?? 'vk',
  topicIds: overrides.topicIds ?? [],
  month: overrides.month ?? 1,
});

describe('fast-track rules', () => {
  it('fires on a keyword in any form, in its months only', () => {
    const heating = rule({ keywords: ['нет отопления'], months: [10, 11, 12, 1, 2, 3, 4] });
    expect(matchRule(heating, subject('В квартире третий день нет отопления'))?.keyword).toBe(
      'нет отопления',
    );
    expect(matchRule(heating, subject('В квартире третий день нет отопления', { month: 7 }))).toBeUndefined();
    expect(matchRule(heating, subject('Отопление работает хорошо'))).toBeUndefined();
  });

  it('needs every condition it has: topic, channel, keywords', () => {
    const r = rule({ topicId: 't1', channels: ['pos'], keywords: ['аварийное дерево'] });
    expect(
      matchRule(r, subject('Аварийное дерево у школы', { channel: 'pos', topicIds: ['t1', 's1'] })),
    ).toBeDefined();
    expect(
      matchRule(r, subject('Аварийное дерево у школы', { channel: 'vk', topicIds: ['t1'] })),
    ).toBeUndefined();
    expect(
      matchRule(r, subject('Аварийное дерево у школы', { channel: 'pos', topicIds: ['t2'] })),
    ).toBeUndefined();
    expect(matchRule(r, subject('Дерево у школы', { channel: 'pos', topicIds: ['t1'] }))).toBeUndefined();
  });

  it('ignores inactive and empty rules and picks the first matching rule by name', () => {
    expect(matchRule(rule({ keywords: ['люк'], active: false }), subject('открытый люк'))).toBeUndefined();
    expect(matchRule(rule({}), subject('что угодно'))).toBeUndefined();
    const b = rule({ id: 'b', name: 'Б', keywords: ['люк'] });
    const a = rule({ id: 'a', name: 'А', keywords: ['открытый люк'] });
    expect(matchFastTrack([b, a], subject('открытый люк во дворе'))?.rule.id).toBe('a');
    expect(matchFastTrack([b, a], subject('всё хорошо'))).toBeUndefined();
  });
});
