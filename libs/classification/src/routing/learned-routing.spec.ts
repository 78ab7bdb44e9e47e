import { learnRoute } from './learned-routing';

const h = (organisationId: string, answered: number, answeredSubtopic = 0, returned = 0) => ({
  organisationId,
  answered,
  answeredSubtopic,
  returned,
});

describe('routing learned from history', () => {
  it('ranks by answers, the same subtopic counting double and returns against', () => {
    expect(learnRoute([h('a', 5), h('b', 4, 4), h('c', 1)]).map((r) => r.organisationId)).toEqual(['b', 'a']);
    expect(learnRoute([h('a', 6, 0, 3), h('b', 3)]).map((r) => r.organisationId)).toEqual(['b']);
  });

  it('says nothing on thin evidence', () => {
    expect(learnRoute([h('a', 2)])).toEqual([]);
    expect(learnRoute([])).toEqual([]);
  });

  it('keeps co-answering bodies scoring at least half the best, at most three, with shares', () => {
    const routes = learnRoute([h('a', 10), h('b', 6), h('c', 5), h('d', 5), h('e', 1)]);
    expect(routes.map((r) => r.organisationId)).toEqual(['a', 'b', 'c']);
    expect(routes[0].share).toBeCloseTo(10 / 27, 3);
  });
});
