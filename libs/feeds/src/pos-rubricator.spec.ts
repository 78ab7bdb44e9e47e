import { mergeRubricator, type PosRubricator } from '@inbox/integrations/pos';
import { rubricatorFromRows, rubricatorRows } from './pos-rubricator';

const rubricator: PosRubricator = {
  regionId: '54',
  regions: [],
  categories: [
    {
      id: '5',
      name: 'Дороги',
      deleted: false,
      subcategories: [
        // ПОС numbers subsubjects on their own: the same id as a subject must not collide.
        { id: '5', name: 'Ямы', deleted: false },
        { id: '6', name: 'Освещение', deleted: true },
      ],
    },
  ],
};

describe('ПОС rubricator mirror rows', () => {
  it('keys subjects and subsubjects apart and round-trips', () => {
    const rows = rubricatorRows(rubricator);
    expect(rows).toEqual([
      { externalId: 'subject:5', parentExternalId: null, name: 'Дороги', deleted: false },
      { externalId: 'subsubject:5', parentExternalId: 'subject:5', name: 'Ямы', deleted: false },
      { externalId: 'subsubject:6', parentExternalId: 'subject:5', name: 'Освещение', deleted: true },
    ]);
    expect(rubricatorFromRows(rows, '54')).toEqual(rubricator);
  });

  it('gives the connector a previous result that soft-deletes what vanished', () => {
    const previous = rubricatorFromRows(rubricatorRows(rubricator), '54');
    const merged = mergeRubricator(previous, { regionId: '54', regions: [], categories: [] });
    expect(rubricatorRows(merged).every((r) => r.deleted)).toBe(true);
  });
});
