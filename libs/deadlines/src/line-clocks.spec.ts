import { DeadlineRuleError } from './errors';
import {
  assertLine2Extension,
  escalationDueAt,
  line2AnswerDueAt,
  line2ExtensionLimitAt,
  misroutedReturnDueAt,
} from './line-clocks';
import { type DeadlineWarning } from './warnings';
import {
  addWorkingMinutes,
  DEFAULT_WORKING_HOURS,
  isWithinWorkingHours,
  type OrganisationClock,
} from './working-hours';

const moscow: OrganisationClock = { timeZone: 'Europe/Moscow', workingHours: DEFAULT_WORKING_HOURS };
const novosibirsk: OrganisationClock = { timeZone: 'Asia/Novosibirsk', workingHours: DEFAULT_WORKING_HOURS };
const irkutsk: OrganisationClock = { timeZone: 'Asia/Irkutsk', workingHours: DEFAULT_WORKING_HOURS };

const iso = (d: Date) => d.toISOString();

describe('escalationDueAt', () => {
  it('is 15 wall-clock minutes after arrival, even at night', () => {
    expect(iso(escalationDueAt(new Date('2026-01-01T02:50:00+03:00')))).toBe('2026-01-01T00:05:00.000Z');
  });
});

describe('isWithinWorkingHours', () => {
  it('follows weekday hours, short days and the moved working Saturday', () => {
    expect(isWithinWorkingHours(new Date('2025-10-14T09:00:00+03:00'), moscow)).toBe(true);
    expect(isWithinWorkingHours(new Date('2025-10-14T18:00:00+03:00'), moscow)).toBe(false); // end is exclusive
    expect(isWithinWorkingHours(new Date('2025-10-17T17:30:00+03:00'), moscow)).toBe(false); // Friday closes 17:00
    // 7 Mar 2025: Friday before 8 March, shortened to 16:00
    expect(isWithinWorkingHours(new Date('2025-03-07T15:59:00+03:00'), moscow)).toBe(true);
    expect(isWithinWorkingHours(new Date('2025-03-07T16:30:00+03:00'), moscow)).toBe(false);
    // Saturday 1 Nov 2025 works as Monday 3 Nov (09–18), shortened to 17:00
    expect(isWithinWorkingHours(new Date('2025-11-01T16:30:00+03:00'), moscow)).toBe(true);
    expect(isWithinWorkingHours(new Date('2025-11-01T17:00:00+03:00'), moscow)).toBe(false);
    expect(isWithinWorkingHours(new Date('2025-11-08T10:00:00+03:00'), moscow)).toBe(false);
    expect(isWithinWorkingHours(new Date('2026-01-05T10:00:00+03:00'), moscow)).toBe(false); // holiday
  });

  it('uses the organisation zone: 09:30 in Irkutsk is 04:30 in Moscow', () => {
    const at = new Date('2025-10-14T09:30:00+08:00');
    expect(isWithinWorkingHours(at, irkutsk)).toBe(true);
    expect(isWithinWorkingHours(at, moscow)).toBe(false);
  });
});

describe('addWorkingMinutes / misroutedReturnDueAt', () => {
  it('adds 2 working hours inside a working day', () => {
    expect(iso(misroutedReturnDueAt(new Date('2025-10-14T10:00:00+03:00'), moscow))).toBe(
      '2025-10-14T09:00:00.000Z',
    );
  });

  it('carries over Friday close (17:00) into the moved working Saturday 1 Nov 2025', () => {
    // 30 min on Friday 31 Oct + 90 min from 09:00 on Saturday 1 Nov
    expect(iso(misroutedReturnDueAt(new Date('2025-10-31T16:30:00+03:00'), moscow))).toBe(
      '2025-11-01T07:30:00.000Z',
    );
  });

  it('starts counting at the next opening when received after hours', () => {
    // Friday 17 Oct 2025 17:30 → Monday 20 Oct 09:00 + 2 h
    expect(iso(misroutedReturnDueAt(new Date('2025-10-17T17:30:00+03:00'), moscow))).toBe(
      '2025-10-20T08:00:00.000Z',
    );
  });

  it('stops exactly at closing time rather than the next morning', () => {
    expect(iso(addWorkingMinutes(new Date('2025-10-14T16:00:00+03:00'), 120, moscow))).toBe(
      '2025-10-14T15:00:00.000Z',
    );
  });

  it('rejects negative minutes', () => {
    expect(() => addWorkingMinutes(new Date(), -1, moscow)).toThrow(DeadlineRuleError);
  });
});

describe('line2AnswerDueAt', () => {
  it('before 16:00: same local time on the next working day', () => {
    expect(iso(line2AnswerDueAt(new Date('2025-10-14T10:15:00+03:00'), moscow))).toBe(
      '2025-10-15T07:15:00.000Z',
    );
    expect(iso(line2AnswerDueAt(new Date('2025-10-14T16:00:00+03:00'), moscow))).toBe(
      '2025-10-15T13:00:00.000Z',
    );
  });

  it('before opening: the clock starts at opening', () => {
    expect(iso(line2AnswerDueAt(new Date('2025-10-14T07:00:00+03:00'), moscow))).toBe(
      '2025-10-15T06:00:00.000Z',
    );
  });

  it('after 16:00 on 30 Dec 2025: 16:00 on 12 Jan 2026, after the whole New Year break', () => {
    expect(iso(line2AnswerDueAt(new Date('2025-12-30T17:00:00+03:00'), moscow))).toBe(
      '2026-01-12T13:00:00.000Z',
    );
    expect(iso(line2AnswerDueAt(new Date('2025-12-30T10:00:00+03:00'), moscow))).toBe(
      '2026-01-12T07:00:00.000Z',
    );
  });

  it('16:30 on the Friday before Defender of the Fatherland Day (Mon 23 Feb 2026): Tuesday 16:00', () => {
    expect(iso(line2AnswerDueAt(new Date('2026-02-20T16:30:00+03:00'), moscow))).toBe(
      '2026-02-24T13:00:00.000Z',
    );
  });

  it('16:30 on short Friday 8 May 2026 (before Victory Day) in Novosibirsk: Tuesday 12 May 16:00 local', () => {
    expect(iso(line2AnswerDueAt(new Date('2026-05-08T16:30:00+07:00'), novosibirsk))).toBe(
      '2026-05-12T09:00:00.000Z',
    );
  });

  it('after 16:00 on Friday 31 Oct 2025: due on the moved working Saturday 1 Nov', () => {
    expect(iso(line2AnswerDueAt(new Date('2025-10-31T16:30:00+03:00'), moscow))).toBe(
      '2025-11-01T13:00:00.000Z',
    );
  });

  it('a weekend request counts like a late one: Saturday morning → Monday 16:00', () => {
    expect(iso(line2AnswerDueAt(new Date('2025-10-18T10:00:00+03:00'), moscow))).toBe(
      '2025-10-20T13:00:00.000Z',
    );
  });

  it('caps at the close of business of the due day', () => {
    const lateHours: OrganisationClock = {
      timeZone: 'Europe/Moscow',
      workingHours: {
        1: { start: '12:00', end: '20:00' },
        2: { start: '12:00', end: '20:00' },
        4: { start: '12:00', end: '15:00' },
      },
    };
    // This org does not work on Wednesdays; Thursday 6 Mar 2025 closes at 15:00
    expect(iso(line2AnswerDueAt(new Date('2025-03-04T15:30:00+03:00'), lateHours))).toBe(
      '2025-03-06T12:00:00.000Z',
    );
    expect(iso(line2AnswerDueAt(new Date('2025-03-04T17:00:00+03:00'), lateHours))).toBe(
      '2025-03-06T12:00:00.000Z',
    );
    // Tuesday 10:00 is before opening: the clock starts at 12:00 → Thursday 12:00
    expect(iso(line2AnswerDueAt(new Date('2025-03-04T10:00:00+03:00'), lateHours))).toBe(
      '2025-03-06T09:00:00.000Z',
    );
  });
});

describe('line2ExtensionLimitAt (5 working days from receipt)', () => {
  it('skips the 1–4 May 2025 break', () => {
    const receivedAt = new Date('2025-04-28T10:00:00+03:00');
    expect(iso(line2AnswerDueAt(receivedAt, moscow))).toBe('2025-04-29T07:00:00.000Z');
    // 29 Apr, 30 Apr, 5 May, 6 May, 7 May
    expect(iso(line2ExtensionLimitAt(receivedAt, moscow))).toBe('2025-05-07T07:00:00.000Z');
  });

  it('after 16:00 it is 16:00 on the fifth working day (both May breaks skipped)', () => {
    const receivedAt = new Date('2025-04-30T16:30:00+03:00'); // short day before 1 May
    expect(iso(line2AnswerDueAt(receivedAt, moscow))).toBe('2025-05-05T13:00:00.000Z');
    // 5, 6, 7, 12, 13 May
    expect(iso(line2ExtensionLimitAt(receivedAt, moscow))).toBe('2025-05-13T13:00:00.000Z');
    expect(iso(assertLine2Extension(receivedAt, new Date('2025-05-13T16:00:00+03:00'), moscow))).toBe(
      '2025-05-13T13:00:00.000Z',
    );
    expect(() => assertLine2Extension(receivedAt, new Date('2025-05-13T16:01:00+03:00'), moscow)).toThrow(
      DeadlineRuleError,
    );
  });

  it('warns when the clock runs outside the production calendar', () => {
    const warnings: DeadlineWarning[] = [];
    const due = line2ExtensionLimitAt(new Date('2028-03-06T10:00:00+03:00'), moscow, undefined, warnings);
    expect(iso(due)).toBe('2028-03-13T07:00:00.000Z'); // weekends only
    expect(warnings).toEqual([expect.objectContaining({ code: 'outside-calendar', date: '2028-03-06' })]);
  });
});
