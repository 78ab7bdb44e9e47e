import { mayOweNotice } from './citizen-notices.service';

describe('mayOweNotice', () => {
  it('passes every event a citizen hears of, and of deliveries only an answer’s', () => {
    for (const type of ['registered', 'escalated', 'reopened'])
      expect(mayOweNotice({ type, data: {} })).toBe(true);
    expect(mayOweNotice({ type: 'delivered', data: { kind: 'answer' } })).toBe(true);
    // A notice's own delivery (and a receipt's) owes nothing: its appeal is not read for it.
    for (const kind of ['registration-notice', 'status-notice', 'rating-request', undefined])
      expect(mayOweNotice({ type: 'delivered', data: { kind } })).toBe(false);
  });
});
