import { stemText } from '@inbox/text-classifier';
import { wordShingles } from '@inbox/text-classifier';
import {
  detectAnonymous,
  detectCourtDecision,
  detectOffensive,
  detectRepeated,
  detectSeveralTopics,
} from './legal-flags';

describe('59-ФЗ flags', () => {
  it('anonymous: a 59-ФЗ appeal without surname or without any address for the answer', () => {
    const full = { regime: 'appeal', hasSurname: true, hasPostalAddress: false, hasEmail: true };
    expect(detectAnonymous(full)).toBeUndefined();
    expect(detectAnonymous({ ...full, hasSurname: false })).toEqual({ missing: ['surname'] });
    expect(detectAnonymous({ ...full, hasEmail: false })).toEqual({ missing: ['postalAddressOrEmail'] });
    expect(
      detectAnonymous({ ...full, hasSurname: false, hasEmail: false, regime: 'message' }),
    ).toBeUndefined();
  });

  it('offensive: obscene roots, insults and threats, not ordinary words that start alike', () => {
    expect(detectOffensive(stemText('Вы там все бляди и идиоты, я вас убью'))).toEqual({
      obscene: ['бляд'],
      insults: ['идиот'],
      threats: ['убью'],
      count: 3,
    });
    expect(
      detectOffensive(stemText('Купили сукно и мандарины, урожай хороший, уродливый забор')),
    ).toBeUndefined();
  });

  it('court decision: phrases in any form', () => {
    expect(
      detectCourtDecision(stemText('Прошу пересмотреть решение районного суда по моему делу'))?.phrases,
    ).toEqual(expect.arrayContaining(['решение районного суда']));
    expect(detectCourtDecision(stemText('Хочу обжаловать приговор'))).toEqual({
      phrases: ['обжаловать приговор'],
    });
    expect(detectCourtDecision(stemText('Во дворе яма'))).toBeUndefined();
  });

  it('repeated: the most similar earlier answered appeal at or above the threshold', () => {
    const text = 'Прошу отремонтировать дорогу по улице Мира от дома 1 до дома 20, ямы глубиной по колено';
    const earlier = [
      {
        id: 'e1',
        registrationNumber: '2025-000001',
        shingles: wordShingles('Совсем другой вопрос про детский сад'),
      },
      { id: 'e2', registrationNumber: '2025-000002', shingles: wordShingles(`${text}.`) },
    ];
    expect(detectRepeated(wordShingles(text), earlier, 0.8)).toEqual({
      earlierAppealId: 'e2',
      earlierRegistrationNumber: '2025-000002',
      similarity: 1,
    });
    expect(detectRepeated(wordShingles('Новый вопрос о пособии'), earlier, 0.8)).toBeUndefined();
  });

  it('several topics: two roots confident, claimed by their classifiers, or found by typical needs', () => {
    const s = (rootTopicId: string, confidence: number, margin: number) => ({
      rootTopicId,
      label: rootTopicId,
      confidence,
      margin,
    });
    expect(detectSeveralTopics([s('roads', 0.55, 0.4), s('housing', 0.4, -0.2)], new Map(), 0.3)?.by).toEqual(
      ['confidence'],
    );
    expect(detectSeveralTopics([s('roads', 0.9, 0.4), s('housing', 0.1, 0.2)], new Map(), 0.3)?.by).toEqual([
      'margins',
    ]);
    expect(detectSeveralTopics([s('roads', 0.6, 0.4), s('roads', 0.4, 0.3)], new Map(), 0.3)).toBeUndefined();
    const keywords = new Map([
      ['roads', ['яма на дороге']],
      ['housing', ['нет отопления']],
    ]);
    expect(detectSeveralTopics([], keywords, 0.3)).toEqual({
      topicIds: ['roads', 'housing'],
      by: ['keywords'],
      phrases: { roads: ['яма на дороге'], housing: ['нет отопления'] },
    });
  });
});
