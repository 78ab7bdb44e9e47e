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

  it('keeps one row of a subsubject id that ПОС repeats under several subjects, live if any lists it live', () => {
    const shared: ChannelRubricator = {
      regionId: '54',
      regions: [],
      categories: [
        {
          id: '1',
          name: 'ЖКХ',
          deleted: false,
          subcategories: [
            { id: '77', name: 'Благоустройство двора', deleted: true },
            { id: '78', name: 'Вывоз мусора', deleted: false },
          ],
        },
        {
          id: '2',
          name: 'Городская среда',
          deleted: false,
          subcategories: [{ id: '77', name: 'Благоустройство двора', deleted: false }],
        },
        {
          id: '1',
          name: 'ЖКХ',
          deleted: false,
          subcategories: [{ id: '78', name: 'Вывоз мусора', deleted: false }],
        },
      ],
    };
    const rows = rubricatorRows(shared);
    expect(new Set(rows.map((r) => r.externalId)).size).toBe(rows.length);
    expect(rows).toEqual([
      { externalId: 'subject:1', parentExternalId: null, name: 'ЖКХ', deleted: false },
      {
        externalId: 'subsubject:77',
        parentExternalId: 'subject:2',
        name: 'Благоустройство двора',
        deleted: false,
      },
      { externalId: 'subsubject:78', parentExternalId: 'subject:1', name: 'Вывоз мусора', deleted: false },
      { externalId: 'subject:2', parentExternalId: null, name: 'Городская среда', deleted: false },
    ]);
  });
});
