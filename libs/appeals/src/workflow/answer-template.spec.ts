import { addressName, renderTemplate, russianDate } from './answer-template';

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
  });

  it('addresses the applicant by name and patronymic when known', () => {
    expect(addressName({ surname: 'Кузнецова', first_name: 'Ольга', patronymic: 'Викторовна' })).toBe(
      'Ольга Викторовна',
    );
    expect(addressName({ display_name: 'Andrey K' })).toBe('Andrey K');
    expect(addressName({})).toBe('заявитель');
  });

  it('formats dates in the organisation zone', () => {
    expect(russianDate('2026-03-01T20:00:00Z', 'Asia/Novosibirsk')).toBe('02.03.2026');
  });
});
