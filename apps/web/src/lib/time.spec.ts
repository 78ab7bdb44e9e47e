import { countdown, formatLongDate, zoneLabel } from './time';

describe('zoneLabel (a time zone as staff read it)', () => {
  it('names a zone of the region by its city and offset, and any other by its offset, never its Latin id', () => {
    expect(zoneLabel('Asia/Novosibirsk')).toBe('Новосибирск, UTC+7');
    expect(zoneLabel('Europe/Moscow')).toBe('Москва, UTC+3');
    expect(zoneLabel('Asia/Yekaterinburg')).toBe('UTC+5');
    expect(zoneLabel('Asia/Kamchatka')).not.toMatch(/Asia|Kamchatka/);
  });
});

describe('countdown (the time left to a term)', () => {
  it('never parts a number from its unit: only the spaces between the parts may break', () => {
    const now = Date.parse('2026-12-06T12:00:00Z');
    const due = (hours: number) => new Date(now + hours * 3_600_000).toISOString();
    expect(countdown(due(24 * 24 + 3.5), now).text).toBe('осталось 24\u00a0дня 3\u00a0ч');
    expect(countdown(due(-(5 + 1 / 6)), now).text).toBe('просрочено на 5\u00a0ч 10\u00a0мин');
    expect(countdown(due(0.5), now).text).toBe('осталось 30\u00a0мин');
  });
});

describe('formatLongDate (a term in words, for a notice)', () => {
  it("says the day in the appeal's zone, not the browser's or UTC", () => {
    // 23:59 on 12 January in Novosibirsk (UTC+7) is 16:59 UTC; half an hour later it is the 13th there.
    expect(formatLongDate('2027-01-12T16:59:59Z', 'Asia/Novosibirsk')).toBe('12 января 2027 г.');
    expect(formatLongDate('2027-01-12T17:30:00Z', 'Asia/Novosibirsk')).toBe('13 января 2027 г.');
    expect(formatLongDate('2027-01-12T11:00:00Z', 'Asia/Omsk', true)).toBe('12 января 2027 г., 17:00');
  });
});
