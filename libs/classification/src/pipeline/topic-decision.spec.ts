import { TextClassifier } from '@inbox/text-classifier';
import { stemText } from '@inbox/text-classifier';
import { bestTypicalNeed, type CatalogueTopic, decideTopic, resolveLabel } from './topic-decision';

const topic = (id: string, parentId: string | null, active = true): CatalogueTopic => ({
  id,
  code: id,
  name: id,
  parentId,
  active,
  typicalNeeds: [],
});
const TOPICS = [
  topic('housing', null),
  topic('housing-heating', 'housing'),
  topic('roads', null),
  topic('roads-potholes', 'roads'),
  topic('old', null, false),
];
const catalogue = {
  byCode: new Map(TOPICS.map((t) => [t.code, t])),
  byId: new Map(TOPICS.map((t) => [t.id, t])),
};

const HEATING = [
  'В квартире холодные батареи, нет отопления',
  'Не греют радиаторы отопления, в комнатах холодно',
  'Отопление не включили, дома холодно, батареи ледяные',
  'Холодные батареи в подъезде, отопления нет',
  'Температура в квартире низкая, плохо греют батареи отопления',
  'Прошу проверить отопление, батареи еле тёплые',
];
const POTHOLES = [
  'На дороге огромная яма, машины бьют колёса',
  'Яма на проезжей части возле остановки, нужен ремонт дороги',
  'Дорогу не ремонтируют, сплошные ямы и выбоины',
  'Глубокая яма на дороге у школы, прошу заделать',
  'Выбоины на дороге после зимы, ремонт асфальта нужен',
  'Асфальт разбит, ямы на дороге по всей улице',
];

describe('topic decision', () => {
  let model: TextClassifier;
  beforeAll(async () => {
    model = await TextClassifier.train(
      [
        ...HEATING.map((text) => ({ text, features: {}, label: 'housing-heating' })),
        ...POTHOLES.map((text) => ({ text, features: {}, label: 'roads-potholes' })),
      ],
      { holdout: 0, threads: 1, features: { minDf: 1 } },
    );
  });

  it('resolves a leaf code to topic and subtopic, refusing inactive topics', () => {
    expect(resolveLabel('housing-heating', catalogue.byCode, catalogue.byId)).toEqual({
      topicId: 'housing',
      subtopicId: 'housing-heating',
    });
    expect(resolveLabel('roads', catalogue.byCode, catalogue.byId)).toEqual({
      topicId: 'roads',
      subtopicId: null,
    });
    expect(resolveLabel('old', catalogue.byCode, catalogue.byId)).toBeUndefined();
    expect(resolveLabel('missing', catalogue.byCode, catalogue.byId)).toBeUndefined();
  });

  it('accepts a confident prediction its own classifier claims', () => {
    const d = decideTopic(model, { text: 'Яма на дороге, нужен ремонт асфальта' }, catalogue, 0.6);
    expect(d).toMatchObject({
      accepted: true,
      reason: 'confident',
      topicId: 'roads',
      subtopicId: 'roads-potholes',
    });
    expect(d.margin).toBeGreaterThanOrEqual(0);
  });

  it('sends what no classifier claims to the manual queue, or to the mapped channel category', () => {
    const text = { text: 'Прошу сообщить график работы библиотеки в выходные' };
    const d = decideTopic(model, text, catalogue, 0.6);
    expect(d.accepted).toBe(false);
    expect(['out-of-domain', 'low-confidence']).toContain(d.reason);
    expect(d.topicId).toBeNull();
    const mapped = decideTopic(model, text, catalogue, 0.6, catalogue.byId.get('roads'));
    expect(mapped).toMatchObject({ accepted: true, reason: 'channel-category', topicId: 'roads' });
  });

  it('does not accept anything when the threshold is above every confidence', () => {
    const d = decideTopic(model, { text: 'Яма на дороге' }, catalogue, 1.01);
    expect(d).toMatchObject({ accepted: false, reason: 'low-confidence' });
  });

  it('picks the typical need whose words the text covers best', () => {
    const needs = ['Нет отопления в квартире', 'Ремонт сетей теплоснабжения'];
    expect(bestTypicalNeed(stemText('Третий день нет отопления, в квартире холодно'), needs)).toBe(
      'Нет отопления в квартире',
    );
    expect(bestTypicalNeed(stemText('Яма на дороге'), needs)).toBeUndefined();
  });
});
