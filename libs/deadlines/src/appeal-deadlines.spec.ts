import { DomainError } from '@inbox/common';
import { computeAppealDeadlines, extendAnswerDeadline, fastTrackTerm } from './appeal-deadlines';
import { DeadlineRuleError } from './errors';
import { addWorkingDays, applyLastDayRule } from './working-days';
import { endOfLocalDay, localDateOf } from './local-date';
import { type DeadlineWarning } from './warnings';

const MOSCOW = 'Europe/Moscow';
const NOVOSIBIRSK = 'Asia/Novosibirsk';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (e) {
    return e instanceof DeadlineRuleError ? e.rule : 'not-a-DeadlineRuleError';
  }
  return undefined;
}

describe('local dates', () => {
  it('ends a local day at the next local midnight minus 1 ms', () => {
    expect(endOfLocalDay('2025-04-11', MOSCOW).toISOString()).toBe('2025-04-11T20:59:59.999Z');
    expect(endOfLocalDay('2025-04-14', NOVOSIBIRSK).toISOString()).toBe('2025-04-14T16:59:59.999Z');
  });

  it('rejects impossible dates and unknown zones', () => {
    expect(codeOf(() => endOfLocalDay('2025-02-29', MOSCOW))).toBe('invalid-date');
    expect(codeOf(() => localDateOf(new Date(), 'Mars/Olympus'))).toBe('invalid-time-zone');
  });
});

describe('computeAppealDeadlines', () => {
  it('takes the local date in the organisation zone: 23:30 in Moscow is already tomorrow in Novosibirsk', () => {
    const at = new Date('2025-03-14T23:30:00+03:00'); // Friday evening in Moscow, Saturday 03:30 in Novosibirsk
    const input = { receivedAt: at, registeredAt: at, fastTrack: false };

    const moscow = computeAppealDeadlines({ ...input, timeZone: MOSCOW });
    // 14 Mar + 30 = Sunday 13 Apr → preceding working day
    expect(moscow.answerDueDate).toBe('2025-04-11');
    expect(moscow.answerDueAt.toISOString()).toBe('2025-04-11T20:59:59.999Z');
    expect(moscow.registrationDueAt.toISOString()).toBe('2025-03-17T20:59:59.999Z');
    expect(moscow.redirectDueAt.toISOString()).toBe('2025-03-21T20:59:59.999Z');
    expect(moscow.termDays).toBe(30);
    expect(moscow.warnings).toEqual([]);

    const novosibirsk = computeAppealDeadlines({ ...input, timeZone: NOVOSIBIRSK });
    // 15 Mar + 30 = Monday 14 Apr, a working day
    expect(novosibirsk.answerDueDate).toBe('2025-04-14');
    expect(novosibirsk.answerDueAt.toISOString()).toBe('2025-04-14T16:59:59.999Z');
    expect(novosibirsk.registrationDueAt.toISOString()).toBe('2025-03-18T16:59:59.999Z');
    expect(novosibirsk.redirectDueAt.toISOString()).toBe('2025-03-22T16:59:59.999Z');
  });

  it('gives fast-track appeals 10 days', () => {
    const registeredAt = new Date('2025-09-01T10:00:00+07:00');
    const result = computeAppealDeadlines({
      receivedAt: registeredAt,
      registeredAt,
      fastTrack: true,
      timeZone: NOVOSIBIRSK,
    });
    expect(result.termDays).toBe(10);
    expect(result.answerDueDate).toBe('2025-09-11');
  });

  it('moves a fast-track last day off Russia Day (12 Jun 2025) to the short day before', () => {
    const registeredAt = new Date('2025-06-02T10:00:00+03:00');
    const base = { receivedAt: registeredAt, registeredAt, fastTrack: true, timeZone: MOSCOW };
    expect(computeAppealDeadlines(base).answerDueDate).toBe('2025-06-11');
    // 12 Jun holiday, 13 Jun moved day off, 14–15 weekend
    expect(computeAppealDeadlines({ ...base, lastDayRule: 'following-working-day' }).answerDueDate).toBe(
      '2025-06-16',
    );
  });

  describe('a last day on a public holiday (4 Nov 2025) under each LastDayRule', () => {
    const registeredAt = new Date('2025-10-05T12:00:00+03:00'); // + 30 days = Tuesday 4 Nov
    const compute = (lastDayRule?: 'preceding-working-day' | 'following-working-day' | 'keep') =>
      computeAppealDeadlines({
        receivedAt: registeredAt,
        registeredAt,
        fastTrack: false,
        timeZone: MOSCOW,
        lastDayRule,
      });

    it('preceding-working-day (default) skips 3 Nov and the weekend back to working Saturday 1 Nov', () => {
      expect(compute().answerDueDate).toBe('2025-11-01');
      expect(compute('preceding-working-day').answerDueAt.toISOString()).toBe('2025-11-01T20:59:59.999Z');
    });

    it('following-working-day gives Wednesday 5 Nov', () => {
      expect(compute('following-working-day').answerDueDate).toBe('2025-11-05');
    });

    it('keep leaves the holiday', () => {
      expect(compute('keep').answerDueDate).toBe('2025-11-04');
    });
  });

  it('warns when the due date falls outside the production calendar but still computes on weekends', () => {
    const registeredAt = new Date('2027-12-10T12:00:00+03:00'); // + 30 = Sunday 9 Jan 2028
    const result = computeAppealDeadlines({
      receivedAt: registeredAt,
      registeredAt,
      fastTrack: false,
      timeZone: MOSCOW,
    });
    expect(result.answerDueDate).toBe('2028-01-07'); // weekends only: no New Year data for 2028
    expect(result.warnings).toEqual([
      expect.objectContaining({ code: 'outside-calendar', date: '2028-01-09', message: expect.any(String) }),
    ]);

    const before = new Date('2024-12-01T12:00:00+03:00');
    const early = computeAppealDeadlines({
      receivedAt: before,
      registeredAt: before,
      fastTrack: false,
      timeZone: MOSCOW,
    });
    expect(early.answerDueDate).toBe('2024-12-31');
    expect(early.warnings.map((w) => [w.code, w.date])).toEqual([['outside-calendar', '2024-12-31']]);
  });

  it('flags deadlines that rely on the derived (pre-decree) 2027 data', () => {
    const registeredAt = new Date('2027-04-05T12:00:00+03:00');
    const result = computeAppealDeadlines({
      receivedAt: registeredAt,
      registeredAt,
      fastTrack: false,
      timeZone: MOSCOW,
    });
    expect(result.answerDueDate).toBe('2027-05-05');
    expect(result.warnings.map((w) => w.code)).toEqual(['provisional-calendar']);
  });

  it('rejects bad input', () => {
    const at = new Date('2025-03-03T10:00:00Z');
    const base = { receivedAt: at, registeredAt: at, fastTrack: false, timeZone: MOSCOW };
    expect(codeOf(() => computeAppealDeadlines({ ...base, timeZone: 'Moscow' }))).toBe('invalid-time-zone');
    expect(codeOf(() => computeAppealDeadlines({ ...base, registeredAt: new Date('x') }))).toBe(
      'invalid-instant',
    );
    expect(codeOf(() => computeAppealDeadlines({ ...base, answerDays: 0 }))).toBe('invalid-days');
  });
});

describe('fastTrackTerm', () => {
  // As the appeal's row gives them: received late on Friday 30 May, registered on Monday 2 June (Moscow).
  const row = {
    received_at: new Date('2025-05-30T20:30:00Z'),
    registered_at: '2025-06-02T07:00:00.000Z',
    time_zone: MOSCOW,
  };

  it('is the fast-track term of the row’s instants in its zone, whatever the answer term', () => {
    const term = fastTrackTerm(row, { fastTrackDays: 10 });
    expect(term).toEqual(
      computeAppealDeadlines({
        receivedAt: new Date('2025-05-30T20:30:00Z'),
        registeredAt: new Date('2025-06-02T07:00:00Z'),
        fastTrack: true,
        timeZone: MOSCOW,
      }),
    );
    // 2 Jun + 10 = Russia Day (12 Jun) → the short day before; registration counted from 30 May 23:30 local.
    expect(term).toMatchObject({ termDays: 10, answerDueDate: '2025-06-11' });
    expect(term.registrationDueAt.toISOString()).toBe('2025-06-02T20:59:59.999Z');
  });

  it('follows the region’s settings: its fast-track days and its last-day rule', () => {
    expect(fastTrackTerm(row, { fastTrackDays: 5 })).toMatchObject({
      termDays: 5,
      answerDueDate: '2025-06-06',
    });
    expect(
      fastTrackTerm(row, { fastTrackDays: 10, lastDayRule: 'following-working-day' }).answerDueDate,
    ).toBe('2025-06-16');
    expect(
      fastTrackTerm({ ...row, time_zone: NOVOSIBIRSK }, { fastTrackDays: 10 }).answerDueAt.toISOString(),
    ).toBe('2025-06-11T16:59:59.999Z');
  });
});

describe('extendAnswerDeadline', () => {
  const base = { currentDueDate: '2025-04-11', timeZone: MOSCOW, alreadyExtended: false };

  it('adds up to 30 calendar days and applies the last-day rule (11 May 2025 falls in the 8–11 May break)', () => {
    const extended = extendAnswerDeadline({ ...base, days: 30 });
    expect(extended.answerDueDate).toBe('2025-05-07');
    expect(extended.answerDueAt.toISOString()).toBe('2025-05-07T20:59:59.999Z');
    expect(extended.warnings).toEqual([]);
    expect(
      extendAnswerDeadline({ ...base, days: 30, lastDayRule: 'following-working-day' }).answerDueDate,
    ).toBe('2025-05-12');
    expect(extendAnswerDeadline({ ...base, days: 5 }).answerDueDate).toBe('2025-04-16');
  });

  it('refuses a second extension (59-ФЗ ст. 12 ч. 2 allows one)', () => {
    expect(codeOf(() => extendAnswerDeadline({ ...base, days: 10, alreadyExtended: true }))).toBe(
      'already-extended',
    );
  });

  it('gives back the current term when the last-day rule brings the extension back to it (ExtendCommand refuses it)', () => {
    // 30.12.2026 + 10 = Saturday 9 January 2027, in the New Year break; the working day before it is 30 December.
    const year = { ...base, currentDueDate: '2026-12-30' };
    expect(extendAnswerDeadline({ ...year, days: 10 }).answerDueDate).toBe('2026-12-30');
    expect(extendAnswerDeadline({ ...year, days: 13 }).answerDueDate).toBe('2027-01-12');
    expect(
      extendAnswerDeadline({ ...year, days: 10, lastDayRule: 'following-working-day' }).answerDueDate,
    ).toBe('2027-01-11');
  });

  it('refuses more than 30 days and non-positive lengths', () => {
    expect(codeOf(() => extendAnswerDeadline({ ...base, days: 31 }))).toBe('extension-too-long');
    expect(codeOf(() => extendAnswerDeadline({ ...base, days: 0 }))).toBe('invalid-days');
    expect(codeOf(() => extendAnswerDeadline({ ...base, days: 2.5 }))).toBe('invalid-days');
  });
});

describe('working-day arithmetic', () => {
  it('jumps the whole New Year break: 1 working day after 30 Dec 2025 is 12 Jan 2026', () => {
    expect(addWorkingDays('2025-12-30', 1)).toBe('2026-01-12');
    expect(addWorkingDays('2026-01-12', -1)).toBe('2025-12-30');
  });

  it('counts Saturday 1 Nov 2025 as a working day', () => {
    expect(addWorkingDays('2025-10-31', 1)).toBe('2025-11-01');
    expect(addWorkingDays('2025-10-31', 2)).toBe('2025-11-05');
  });

  it('leaves working days alone under any rule', () => {
    expect(applyLastDayRule('2025-11-05', 'preceding-working-day')).toBe('2025-11-05');
    expect(addWorkingDays('2025-11-05', 0)).toBe('2025-11-05');
  });

  it('collects one outside-calendar warning per year when walking past the data', () => {
    const warnings: DeadlineWarning[] = [];
    expect(addWorkingDays('2027-12-30', 3, undefined, warnings)).toBe('2028-01-04');
    expect(warnings.map((w) => [w.code, w.date])).toEqual([
      ['provisional-calendar', '2027-12-31'],
      ['outside-calendar', '2028-01-01'],
    ]);
  });
});

describe('DeadlineRuleError', () => {
  it('is a domain error: a second extension is a conflict, a malformed input invalid', () => {
    const twice = new DeadlineRuleError('already-extended', 'Срок ответа уже продлевался');
    expect(twice).toBeInstanceOf(DomainError);
    expect([twice.code, twice.rule]).toEqual(['conflict', 'already-extended']);
    const bad = new DeadlineRuleError('invalid-date', 'Некорректная дата');
    expect([bad.code, bad.rule]).toEqual(['invalid-input', 'invalid-date']);
  });
});
