import {
  matchRoute,
  type RoutingRuleData,
  territoryCovers,
  territoryPrefix,
  topicChain,
  type TopicData,
} from './routing-match';

const TOPICS = new Map<string, TopicData>(
  [
    { id: 'roads', parentId: null, defaultOrganisationId: 'mintrans' },
    { id: 'roads-repair', parentId: 'roads', defaultOrganisationId: null },
    { id: 'roads-winter', parentId: 'roads', defaultOrganisationId: 'uad' },
    { id: 'housing', parentId: null, defaultOrganisationId: 'minjkh' },
    { id: 'housing-heating', parentId: 'housing', defaultOrganisationId: 'minjkh' },
    { id: 'other', parentId: null, defaultOrganisationId: null },
    { id: 'other-misc', parentId: 'other', defaultOrganisationId: null },
  ].map((t) => [t.id, t]),
);

let seq = 0;
function rule(partial: Partial<RoutingRuleData> & { organisationIds: string[] }): RoutingRuleData {
  seq += 1;
  return {
    id: partial.id ?? `rule-${seq}`,
    name: partial.name ?? `Правило ${String(seq).padStart(3, '0')}`,
    priority: partial.priority ?? 100,
    topicId: partial.topicId ?? null,
    territoryCode: partial.territoryCode ?? null,
    organisationIds: partial.organisationIds,
    active: partial.active ?? true,
  };
}

describe('territory codes (OKTMO prefixes)', () => {
  it('reduces a code to its significant prefix at level boundaries', () => {
    expect(territoryPrefix('51604000')).toBe('51604');
    expect(territoryPrefix('51604151')).toBe('51604151');
    expect(territoryPrefix('51000000')).toBe('51');
    expect(territoryPrefix('51604151000')).toBe('51604151');
    expect(territoryPrefix('51604')).toBe('51604');
  });

  it('lets a district cover its settlements but not a neighbour', () => {
    expect(territoryCovers('51604000', '51604000')).toBe(true);
    expect(territoryCovers('51604000', '51604151')).toBe(true);
    expect(territoryCovers('51604', '51604402')).toBe(true);
    expect(territoryCovers('51604151', '51604151101')).toBe(true);
    expect(territoryCovers('51604000', '51612401')).toBe(false);
    expect(territoryCovers('51604151', '51604402')).toBe(false);
    expect(territoryCovers('51604000', '')).toBe(false);
  });
});

describe('topicChain', () => {
  it('goes from the subtopic up to its parent', () => {
    expect(topicChain({ topicId: 'roads', subtopicId: 'roads-repair' }, TOPICS)).toEqual([
      'roads-repair',
      'roads',
    ]);
    expect(topicChain({ subtopicId: 'roads-repair' }, TOPICS)).toEqual(['roads-repair', 'roads']);
    expect(topicChain({ topicId: 'roads-repair' }, TOPICS)).toEqual(['roads-repair', 'roads']);
    expect(topicChain({ topicId: 'roads' }, TOPICS)).toEqual(['roads']);
    expect(topicChain({}, TOPICS)).toEqual([]);
  });

  it('keeps the given topic as the parent of an unknown subtopic', () => {
    expect(topicChain({ topicId: 'roads', subtopicId: 'unknown' }, TOPICS)).toEqual(['unknown', 'roads']);
  });
});

describe('matchRoute', () => {
  it('prefers topic + territory over topic only and territory only', () => {
    const topicOnly = rule({ topicId: 'roads', organisationIds: ['mintrans'], priority: 1000 });
    const territoryOnly = rule({
      territoryCode: '51604000',
      organisationIds: ['berezovsky'],
      priority: 1000,
    });
    const both = rule({
      topicId: 'roads',
      territoryCode: '51604000',
      organisationIds: ['berezovsky', 'uad'],
    });
    const decision = matchRoute(
      { topicId: 'roads', subtopicId: 'roads-repair', territoryCode: '51604151' },
      [topicOnly, territoryOnly, both],
      TOPICS,
    );
    expect(decision).toEqual({
      organisationIds: ['berezovsky', 'uad'],
      matchedRuleIds: [both.id],
      reason: 'rule',
    });
  });

  it('prefers a topic-only rule over a territory-only rule', () => {
    const topicOnly = rule({ topicId: 'roads', organisationIds: ['mintrans'] });
    const territoryOnly = rule({
      territoryCode: '51604000',
      organisationIds: ['berezovsky'],
      priority: 1000,
    });
    const decision = matchRoute(
      { topicId: 'roads', territoryCode: '51604151' },
      [territoryOnly, topicOnly],
      TOPICS,
    );
    expect(decision.matchedRuleIds).toEqual([topicOnly.id]);
  });

  it('prefers a subtopic rule over its parent topic rule, whatever the priority', () => {
    const parent = rule({ topicId: 'roads', organisationIds: ['mintrans'], priority: 1000 });
    const child = rule({ topicId: 'roads-repair', organisationIds: ['uad'], priority: 1 });
    const decision = matchRoute({ topicId: 'roads', subtopicId: 'roads-repair' }, [parent, child], TOPICS);
    expect(decision).toEqual({ organisationIds: ['uad'], matchedRuleIds: [child.id], reason: 'rule' });
    // Another subtopic of the same parent gets the parent's rule.
    const other = matchRoute({ topicId: 'roads', subtopicId: 'roads-winter' }, [parent, child], TOPICS);
    expect(other.matchedRuleIds).toEqual([parent.id]);
  });

  it('prefers the settlement over its district at the same topic level', () => {
    const district = rule({ topicId: 'roads', territoryCode: '51604000', organisationIds: ['berezovsky'] });
    const settlement = rule({ topicId: 'roads', territoryCode: '51604151', organisationIds: ['berezovka'] });
    expect(
      matchRoute({ topicId: 'roads', territoryCode: '51604151' }, [district, settlement], TOPICS),
    ).toMatchObject({
      organisationIds: ['berezovka'],
    });
    expect(
      matchRoute({ topicId: 'roads', territoryCode: '51604402' }, [district, settlement], TOPICS),
    ).toMatchObject({
      organisationIds: ['berezovsky'],
    });
  });

  it('breaks a specificity tie by priority, higher first', () => {
    const low = rule({ topicId: 'housing-heating', organisationIds: ['minjkh'], priority: 50 });
    const high = rule({ topicId: 'housing-heating', organisationIds: ['gzhi'], priority: 200 });
    expect(matchRoute({ subtopicId: 'housing-heating' }, [low, high], TOPICS)).toEqual({
      organisationIds: ['gzhi'],
      matchedRuleIds: [high.id],
      reason: 'rule',
    });
  });

  it('gives every organisation of all rules tied at the best rank, without duplicates', () => {
    const a = rule({ name: 'Б: отопление', topicId: 'housing-heating', organisationIds: ['minjkh', 'gzhi'] });
    const b = rule({ name: 'А: отопление', topicId: 'housing-heating', organisationIds: ['gzhi', 'teplo'] });
    const decision = matchRoute({ topicId: 'housing', subtopicId: 'housing-heating' }, [a, b], TOPICS);
    expect(decision.reason).toBe('rule');
    expect(decision.matchedRuleIds).toEqual([b.id, a.id]);
    expect(decision.organisationIds).toEqual(['gzhi', 'teplo', 'minjkh']);
  });

  it('matches a territory-only rule by prefix and names lower-level bodies', () => {
    const r = rule({ territoryCode: '51620', organisationIds: ['ozersky', 'ozersky-school-transport'] });
    expect(matchRoute({ territoryCode: '51620403' }, [r], TOPICS)).toEqual({
      organisationIds: ['ozersky', 'ozersky-school-transport'],
      matchedRuleIds: [r.id],
      reason: 'rule',
    });
    expect(matchRoute({ territoryCode: '51640401' }, [r], TOPICS).reason).toBe('none');
    // A territorial rule never applies to an appeal without a territory.
    expect(matchRoute({ topicId: 'other' }, [r], TOPICS).reason).toBe('none');
  });

  it('ignores inactive rules', () => {
    const inactive = rule({ topicId: 'roads-repair', organisationIds: ['uad'], active: false });
    expect(matchRoute({ subtopicId: 'roads-repair' }, [inactive], TOPICS)).toEqual({
      organisationIds: ['mintrans'],
      matchedRuleIds: [],
      reason: 'topic-default',
    });
  });

  it('ignores rules for other topics and other territories', () => {
    const rules = [
      rule({ topicId: 'housing', organisationIds: ['minjkh'] }),
      rule({ topicId: 'roads', territoryCode: '51612000', organisationIds: ['kedrovsky'] }),
    ];
    expect(matchRoute({ topicId: 'roads', territoryCode: '51604151' }, rules, TOPICS)).toEqual({
      organisationIds: ['mintrans'],
      matchedRuleIds: [],
      reason: 'topic-default',
    });
  });

  it("falls back to the subtopic's default organisation, then to its parent's", () => {
    expect(matchRoute({ subtopicId: 'roads-winter' }, [], TOPICS)).toEqual({
      organisationIds: ['uad'],
      matchedRuleIds: [],
      reason: 'topic-default',
    });
    expect(matchRoute({ topicId: 'roads', subtopicId: 'roads-repair' }, [], TOPICS)).toMatchObject({
      organisationIds: ['mintrans'],
      reason: 'topic-default',
    });
  });

  it('answers none when neither a rule nor a default applies', () => {
    expect(matchRoute({ subtopicId: 'other-misc' }, [], TOPICS)).toEqual({
      organisationIds: [],
      matchedRuleIds: [],
      reason: 'none',
    });
    expect(matchRoute({}, [rule({ topicId: 'roads', organisationIds: ['mintrans'] })], TOPICS).reason).toBe(
      'none',
    );
  });
});
