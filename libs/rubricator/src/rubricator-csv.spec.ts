import { parseRubricatorCsv, splitTypicalNeeds } from './rubricator-csv';

const context = {
  topics: new Map([
    ['housing', { parentCode: null, hasChildren: true }],
    ['housing-heating', { parentCode: 'housing', hasChildren: false }],
  ]),
  organisationCodes: new Set(['minzhkh']),
};

describe('rubricator CSV', () => {
  it('reads topics and subtopics with typical needs, separators and Russian headers', () => {
    const csv = [
      'код;название;код_родителя;типовые_потребности;организация',
      'improvement;Благоустройство;;;minzhkh',
      'improvement-icicles;Сосульки и наледь;improvement;"Сосульки на крыше|Наледь на тротуаре";',
      'housing-water;Водоснабжение;housing;Нет воды;',
    ].join('\r\n');
    const { rows, errors } = parseRubricatorCsv(csv, context);
    expect(errors).toEqual([]);
    expect(rows).toEqual([
      {
        line: 2,
        code: 'improvement',
        name: 'Благоустройство',
        parentCode: null,
        typicalNeeds: [],
        defaultOrganisationCode: 'minzhkh',
      },
      {
        line: 3,
        code: 'improvement-icicles',
        name: 'Сосульки и наледь',
        parentCode: 'improvement',
        typicalNeeds: ['Сосульки на крыше', 'Наледь на тротуаре'],
        defaultOrganisationCode: null,
      },
      {
        line: 4,
        code: 'housing-water',
        name: 'Водоснабжение',
        parentCode: 'housing',
        typicalNeeds: ['Нет воды'],
        defaultOrganisationCode: null,
      },
    ]);
  });

  it('reports every bad line by its row as a spreadsheet shows it (a multi-line cell is one row)', () => {
    const csv = [
      'code,name,parent_code,typical_needs,active',
      'roads,Дороги,,,да',
      '',
      'roads,Дороги ещё раз,,,',
      'bad code!,Плохой код,,,',
      'x-1,,,,',
      'x-2,Под подтемой,housing-heating,,',
      'x-3,Нет раздела,nowhere,"первая',
      'вторая строка",',
      'housing,ЖКХ,roads,,',
      'x-4,Странный флаг,,,может быть',
    ].join('\n');
    const { errors } = parseRubricatorCsv(csv, context);
    expect(errors.map((e) => e.line)).toEqual([4, 5, 6, 7, 8, 9, 10]);
    expect(errors[0].message).toMatch(/уже встречался в строке 2/);
    expect(errors[1].message).toMatch(/допустимы латинские/);
    expect(errors[2].message).toMatch(/не указано название/);
    expect(errors[3].message).toMatch(/сама подтема/);
    expect(errors[4].message).toMatch(/нет ни в файле, ни в рубрикаторе/);
    expect(errors[5].message).toMatch(/есть подтемы/);
    expect(errors[6].message).toMatch(/да\/нет/);
  });

  it('needs the code and name columns and at least one row', () => {
    expect(parseRubricatorCsv('title,parent\nx,y', context).errors[0]).toEqual({
      line: 1,
      message: expect.stringMatching(/code, name/),
    });
    expect(parseRubricatorCsv('code,name\n', context).errors[0].message).toMatch(/нет строк/);
    expect(parseRubricatorCsv('', context).errors[0].message).toBe('Файл пуст');
  });

  it('splits typical needs on | ; and line breaks, without duplicates', () => {
    expect(splitTypicalNeeds(' Нет воды | нет  воды;Нет воды\nРжавая вода ')).toEqual([
      'Нет воды',
      'нет воды',
      'Ржавая вода',
    ]);
  });
});
