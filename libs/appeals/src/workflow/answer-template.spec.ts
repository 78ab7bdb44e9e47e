import { addressName, applicantValues, previewExcerpt, renderTemplate, russianDate } from './answer-template';

describe('answer templates', () => {
  const values = {
    applicantName: 'Ольга Викторовна',
    registrationNumber: '2026-000042',
    registrationDate: '02.03.2026',
    organisation: 'Министерство ЖКХ',
    answerDueDate: '01.04.2026',
  };

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(
      renderTemplate('Уважаемая {{applicantName}}! № {{ registrationNumber }} {{unknown}}', values),
    ).toBe('Уважаемая Ольга Викторовна! № 2026-000042 {{unknown}}');
    // Names every object has are not placeholders: they stay as typed, in the answer and in its preview.
    const inherited = '{{constructor}} {{toString}} {{__proto__}} {{hasOwnProperty}}';
    expect(renderTemplate(inherited, values)).toBe(inherited);
    expect(previewExcerpt(inherited)).toBe(inherited);
  });

  it('addresses the applicant by name and patronymic when known', () => {
    expect(addressName({ surname: 'Кузнецова', first_name: 'Ольга', patronymic: 'Викторовна' })).toBe(
      'Ольга Викторовна',
    );
    expect(addressName({ display_name: 'Andrey K' })).toBe('Andrey K');
    expect(addressName({})).toBe('заявитель');
  });

  it('greets the applicant as their patronymic tells, and keeps the neutral form where it cannot be told', () => {
    const body = 'Уважаемый(ая) {{applicantName}}! По обращению № {{registrationNumber}}.';
    const greeted = (a: Parameters<typeof applicantValues>[0]) =>
      renderTemplate(body, { ...values, ...applicantValues(a) });
    expect(greeted({ surname: 'Кузнецова', first_name: 'Ольга', patronymic: 'Викторовна' })).toBe(
      'Уважаемая Ольга Викторовна! По обращению № 2026-000042.',
    );
    expect(greeted({ first_name: 'Анна', patronymic: 'Ильинична' })).toBe(
      'Уважаемая Анна Ильинична! По обращению № 2026-000042.',
    );
    expect(greeted({ first_name: 'Иван', patronymic: 'Петрович' })).toBe(
      'Уважаемый Иван Петрович! По обращению № 2026-000042.',
    );
    expect(greeted({ first_name: 'Рашид', patronymic: 'Алиев оглы' })).toBe(
      'Уважаемый Рашид Алиев оглы! По обращению № 2026-000042.',
    );
    // No patronymic, or one that tells nothing: the neutral form, with the name we have.
    expect(greeted({ surname: 'Кузнецова', first_name: 'Ольга' })).toBe(
      'Уважаемый(ая) Кузнецова Ольга! По обращению № 2026-000042.',
    );
    expect(greeted({ first_name: 'Alex', patronymic: 'Smith' })).toBe(
      'Уважаемый(ая) Alex Smith! По обращению № 2026-000042.',
    );
    expect(greeted({})).toBe('Уважаемый(ая) заявитель! По обращению № 2026-000042.');
    // Only the greeting before the name changes; a template's other words stay as written.
    expect(
      renderTemplate('Уважаемый(-ая) {{applicantName}}! Уважаемый(ая) коллега.', {
        ...values,
        ...applicantValues({ first_name: 'Ольга', patronymic: 'Викторовна' }),
      }),
    ).toBe('Уважаемая Ольга Викторовна! Уважаемый(ая) коллега.');
    expect(renderTemplate('{{greeting}}', { ...values, greeting: 'Уважаемая' })).toBe('{{greeting}}');
  });

  it('formats dates in the organisation zone', () => {
    expect(russianDate('2026-03-01T20:00:00Z', 'Asia/Novosibirsk')).toBe('02.03.2026');
  });
});

describe('previewExcerpt', () => {
  const values = {
    applicantName: 'Иван Петрович',
    registrationNumber: '2026-000001',
    registrationDate: '01.12.2026',
    organisation: 'Минжкх СО',
    answerDueDate: '30.12.2026',
  };

  it('fills the placeholders from the appeal, or names them in Russian without one', () => {
    const text =
      'Уважаемый(ая) {{applicantName}}! Обращение № {{registrationNumber}} рассматривает {{organisation}}.';
    expect(previewExcerpt(text, values)).toBe(
      'Уважаемый(ая) Иван Петрович! Обращение № 2026-000001 рассматривает Минжкх СО.',
    );
    expect(previewExcerpt(text)).toBe(
      'Уважаемый(ая) [имя заявителя]! Обращение № [рег. номер] рассматривает [организация].',
    );
    expect(previewExcerpt(text, { ...values, greeting: 'Уважаемый' })).toBe(
      'Уважаемый Иван Петрович! Обращение № 2026-000001 рассматривает Минжкх СО.',
    );
  });

  it('leaves out a placeholder the cut split, at either end of each fragment, instead of showing its code', () => {
    expect(previewExcerpt('Ваше обращение рассматривается {{organisa', values)).toBe(
      'Ваше обращение рассматривается …',
    );
    expect(previewExcerpt('sation}} продлил срок ... ответ будет направлен {{', values)).toBe(
      '… продлил срок ... ответ будет направлен …',
    );
    expect(previewExcerpt('срок — {{answerDueDate}}', values)).toBe('срок — 30.12.2026');
  });
});
