import { DomainError } from '@inbox/common';
import { indexedBody, normaliseArticle, normaliseTopicSet } from './knowledge-content';
import { placeholdersOf } from './knowledge.types';

function refusal(fn: () => unknown): DomainError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DomainError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('article content', () => {
  it('normalises an FAQ: trims, lower-cases and de-duplicates keywords, drops empty parts', () => {
    const a = normaliseArticle({
      kind: 'faq',
      title: '  Когда начинается отопительный сезон?  ',
      question: 'Когда включат отопление?',
      body: 'Отопительный период начинается, когда среднесуточная температура пять дней ниже +8 °C.',
      keywords: ['Отопление', 'отопление ', 'батареи'],
      parts: [
        { heading: '', text: '' },
        { heading: 'Основание', text: 'Правила № 354, п. 5' },
      ],
      public: true,
    });
    expect(a).toMatchObject({
      title: 'Когда начинается отопительный сезон?',
      keywords: ['отопление', 'батареи'],
      parts: [{ heading: 'Основание', text: 'Правила № 354, п. 5' }],
      public: true,
      topicId: null,
    });
    expect(indexedBody(a)).toContain('Правила № 354');
  });

  it('refuses an FAQ without its question and a public article that is not an FAQ, by field', () => {
    const e = refusal(() =>
      normaliseArticle({ kind: 'faq', title: 'Вопрос', body: 'Ответ на вопрос граждан.' }),
    );
    expect(e.code).toBe('invalid-input');
    expect(e.errors).toMatchObject({ question: expect.any(String) });
    const p = refusal(() =>
      normaliseArticle({
        kind: 'legal-act',
        title: '59-ФЗ',
        body: 'Статья 12. Сроки рассмотрения.',
        public: true,
      }),
    );
    expect(p.errors).toMatchObject({ public: expect.any(String) });
  });

  it('allows in a template only the placeholders the answer drafting fills', () => {
    expect(placeholdersOf('{{applicantName}}, {{ registrationNumber }} и снова {{applicantName}}')).toEqual([
      'applicantName',
      'registrationNumber',
    ]);
    const ok = normaliseArticle({
      kind: 'template',
      title: 'Отопление: проверка УК',
      body: 'Уважаемый(ая) {{applicantName}}! По обращению № {{registrationNumber}} проведена проверка.',
    });
    expect(ok.kind).toBe('template');
    const e = refusal(() =>
      normaliseArticle({
        kind: 'template',
        title: 'Шаблон',
        body: 'Уважаемый {{fio}}! Ваш адрес {{address}}.',
      }),
    );
    expect(e.errors).toEqual({ body: 'Неизвестные подстановки: {{fio}}, {{address}}' });
  });

  it('refuses links and attachments that are not ids, and an unknown kind', () => {
    const e = refusal(() =>
      normaliseArticle({
        kind: 'memo',
        title: 'Заметка',
        body: 'Текст заметки длинный',
        links: ['x'],
        attachmentIds: ['y'],
      }),
    );
    expect(Object.keys(e.errors ?? {}).sort()).toEqual(['attachmentIds', 'kind', 'links']);
  });

  it('checks a topic set: names, no repeats, parents from the same set', () => {
    expect(
      normaliseTopicSet({
        topics: [{ name: 'Архивные справки' }, { name: 'О стаже', parentName: 'Архивные справки' }],
      }),
    ).toEqual({
      topics: [
        { name: 'Архивные справки', parentName: null },
        { name: 'О стаже', parentName: 'Архивные справки' },
      ],
    });
    expect(refusal(() => normaliseTopicSet({ topics: [] })).errors).toMatchObject({
      topics: expect.any(String),
    });
    expect(refusal(() => normaliseTopicSet({ topics: [{ name: 'А1', parentName: 'Нет' }] })).errors).toEqual({
      topics: 'Родительской темы «Нет» нет в перечне',
    });
  });
});
