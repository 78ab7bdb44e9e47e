import { DEFAULT_WORKING_HOURS } from '@inbox/deadlines';
import { closeOfNthWorkingDay, requestStepDueAt, reviewDueAt, sendDueAt } from './knowledge-terms';

const NOVOSIBIRSK = { timeZone: 'Asia/Novosibirsk', workingHours: DEFAULT_WORKING_HOURS };
/** Local wall-clock time in Novosibirsk (UTC+7) as an instant. */
const nsk = (local: string) => new Date(`${local}+07:00`);

describe('knowledge base terms (S0 annex 2, S4 п. 41)', () => {
  it('sends a request to the responsible person the same day, by the end of the local day', () => {
    expect(sendDueAt(nsk('2026-11-02T10:00:00'), NOVOSIBIRSK)).toEqual(nsk('2026-11-02T23:59:59.999'));
    // 23:30 UTC on 1 November is already 2 November in Novosibirsk.
    expect(sendDueAt(new Date('2026-11-01T23:30:00Z'), NOVOSIBIRSK)).toEqual(nsk('2026-11-02T23:59:59.999'));
  });

  it('counts 3 working days for the approval over the 4 November holiday, to the close of business', () => {
    // Mon 2 Nov → Tue 3 (1), Wed 4 is a holiday, Thu 5 (2), Fri 6 (3), closing at 17:00 on a Friday.
    expect(requestStepDueAt('approval', nsk('2026-11-02T10:00:00'), 'content', NOVOSIBIRSK)).toEqual(
      nsk('2026-11-06T17:00:00'),
    );
    // The same request sent after hours still has the next three working days.
    expect(requestStepDueAt('approval', nsk('2026-11-02T21:00:00'), 'content', NOVOSIBIRSK)).toEqual(
      nsk('2026-11-06T17:00:00'),
    );
  });

  it('publishes within 2 working days of the approval, over the weekend', () => {
    // Approved Fri 6 Nov → Mon 9 (1), Tue 10 (2): the fifth working day after the request of Mon 2 Nov.
    expect(requestStepDueAt('publication', nsk('2026-11-06T11:00:00'), 'content', NOVOSIBIRSK)).toEqual(
      nsk('2026-11-10T18:00:00'),
    );
  });

  it('gives a topic set 5 working days to agree and 5 to enter', () => {
    expect(requestStepDueAt('approval', nsk('2026-11-02T10:00:00'), 'topic-set', NOVOSIBIRSK)).toEqual(
      nsk('2026-11-10T18:00:00'),
    );
    expect(requestStepDueAt('publication', nsk('2026-11-10T10:00:00'), 'topic-set', NOVOSIBIRSK)).toEqual(
      nsk('2026-11-17T18:00:00'),
    );
  });

  it("counts in the organisation's own zone and hours, short pre-holiday days included", () => {
    const omsk = { timeZone: 'Asia/Omsk', workingHours: DEFAULT_WORKING_HOURS };
    // 3 November, the eve of a holiday, is an hour shorter (ТК РФ ст. 95): closes at 17:00 Omsk time.
    expect(closeOfNthWorkingDay(new Date('2026-11-02T03:00:00Z'), 1, omsk)).toEqual(
      new Date('2026-11-03T17:00:00+06:00'),
    );
  });

  it('wants a review within a quarter, moved back to a working day', () => {
    // 15 Feb → 15 May 2026; 15 May is a Friday (close 17:00).
    expect(reviewDueAt(nsk('2026-02-15T12:00:00'), NOVOSIBIRSK)).toEqual(nsk('2026-05-15T17:00:00'));
    // 9 Feb → 9 May 2026, Victory Day (a Saturday, a holiday); back to Friday 8 May, a short pre-holiday day.
    expect(reviewDueAt(nsk('2026-02-09T12:00:00'), NOVOSIBIRSK)).toEqual(nsk('2026-05-08T16:00:00'));
  });
});
