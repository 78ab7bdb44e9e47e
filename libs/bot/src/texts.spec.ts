import { AppealStatus } from '@inbox/appeals';
import {
  consentHowRu,
  consentLabelRu,
  myAppealsRu,
  ratingRequestRu,
  registeredNoticeRu,
  russianDay,
} from './texts';

describe('bot texts', () => {
  it('writes dates the Russian way and the registration notice as the citizen reads it', () => {
    expect(russianDay('2026-12-22')).toBe('22.12.2026');
    expect(registeredNoticeRu('2026-000123', '2026-12-22')).toBe(
      'Обращение зарегистрировано, № 2026-000123, срок ответа до 22.12.2026.',
    );
  });

  it('lists a citizen’s appeals with status and, while it matters, the due date', () => {
    const text = myAppealsRu(
      [
        {
          registrationNumber: '2026-000124',
          registeredOn: '2026-11-20',
          status: AppealStatus.Answered,
          answerDueDate: '2026-12-18',
        },
        {
          registrationNumber: '2026-000123',
          registeredOn: '2026-11-19',
          status: AppealStatus.Escalated,
          answerDueDate: '2026-12-17',
        },
      ],
      10,
    );
    expect(text.split('\n')).toEqual([
      'Ваши обращения:',
      '№ 2026-000124 от 20.11.2026 — Дан ответ',
      '№ 2026-000123 от 19.11.2026 — Передано в профильный орган, срок ответа до 17.12.2026',
    ]);
    expect(myAppealsRu([], 10)).toMatch(/^У вас пока нет зарегистрированных обращений/);
  });

  it('asks for consent and a rating by button where there are buttons, in words where not', () => {
    expect(consentLabelRu(40).length).toBeLessThanOrEqual(40);
    expect(consentHowRu(consentLabelRu(64))).toContain('«Согласен на обработку персональных данных»');
    expect(consentHowRu(undefined)).toContain('словом «Согласен»');
    expect(ratingRequestRu('2026-000123', true)).toContain('Ответьте кнопками ниже.');
    expect(ratingRequestRu('2026-000123', false)).toContain('Например: 1 1');
    expect(ratingRequestRu('2026-000123', false)).toContain('Получен ли ответ на ваш вопрос?');
  });
});
