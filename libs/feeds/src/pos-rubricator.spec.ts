import { type ChannelRubricator } from '@inbox/integrations/contract';
import { rubricatorFromRows, rubricatorRows } from './pos-rubricator';

const rubricator: ChannelRubricator = {
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
});
