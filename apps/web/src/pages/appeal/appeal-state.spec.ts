import { type AppealCard } from '../../api/types';
import { cardToolbar, extendedNotice, extensionKinds, redirectDialogText } from './appeal-state';

const ALL = {
  readOnly: false,
  mayChangeContacts: true,
  mayEscalate: true,
  mayRedirect: true,
  mayTake: true,
  mayAnswer: true,
  mayAssign: true,
  mayReturn: true,
  mayExtendAppeal: true,
  mayExtendLine2: true,
  mayClose: true,
  mayRate: true,
};
const NONE = Object.fromEntries(Object.keys(ALL).map((k) => [k, false])) as typeof ALL;

function card(over: Partial<AppealCard> & { access?: Partial<typeof ALL> } = {}): AppealCard {
  return {
    status: 'in_work',
    regime: 'appeal',
    assigneeId: null,
    organisations: [],
    history: [],
    fastTrack: false,
    deadlines: { extended: false },
    ...over,
    access: { ...NONE, ...over.access },
  } as unknown as AppealCard;
}

const ME = { id: 'me', role: 'operator', organisationId: 'cur' };

describe('cardToolbar: each button where the api allows it', () => {
  it('draws each action the card allows, and only those', () => {
    expect(cardToolbar(card({ access: ALL }), ME)).toEqual([
      'take',
      'escalate',
      'assign',
      'fast-track',
      'return',
      'extend',
      'redirect',
      'join',
      'add-to-incident',
    ]);
    // An administrator's card: the api refuses their «Взять в работу», so it is not there.
    const admin = { ...ME, role: 'admin' };
    expect(
      cardToolbar(card({ access: { mayEscalate: true, mayAssign: true, mayExtendAppeal: true } }), admin),
    ).toEqual(['escalate', 'assign', 'fast-track', 'extend', 'join', 'add-to-incident']);
    expect(cardToolbar(card(), ME)).toEqual([]);
    // In an incident already: it is excluded from its notice first, not added to another.
    const grouped = { incidentId: 'i-1' } as AppealCard['classification'];
    expect(cardToolbar(card({ classification: grouped, access: { mayEscalate: true } }), ME)).toEqual([
      'escalate',
      'fast-track',
      'join',
    ]);
  });

  it('weighs the status: nothing to take once answered; closing and rating then', () => {
    expect(cardToolbar(card({ status: 'answered', access: ALL }), ME)).toEqual(['close', 'rate']);
    expect(cardToolbar(card({ status: 'answered', access: { mayRate: true } }), ME)).toEqual(['rate']);
    expect(cardToolbar(card({ status: 'closed', access: ALL }), ME)).toEqual(['rate']);
  });

  it('offers «Ускорить» to line 1 once: not on a fast-tracked or extended appeal, nor to a clerk', () => {
    const line1 = { mayEscalate: true };
    expect(cardToolbar(card({ access: line1 }), ME)).toEqual([
      'escalate',
      'fast-track',
      'join',
      'add-to-incident',
    ]);
    expect(cardToolbar(card({ fastTrack: true, access: line1 }), ME)).toEqual([
      'escalate',
      'join',
      'add-to-incident',
    ]);
    const extended = { extended: true } as AppealCard['deadlines'];
    expect(cardToolbar(card({ deadlines: extended, access: line1 }), ME)).toEqual([
      'escalate',
      'join',
      'add-to-incident',
    ]);
    expect(cardToolbar(card({ status: 'answered', access: line1 }), ME)).toEqual([]);
    expect(cardToolbar(card({ access: { mayAssign: true } }), { ...ME, role: 'clerk' })).toEqual(['assign']);
  });

  it('does not offer to take what the viewer already holds', () => {
    expect(cardToolbar(card({ assigneeId: 'me', access: { mayTake: true } }), ME)).toEqual([]);
  });

  it('offers «Продлить срок» only with a term to extend: no 59-ФЗ term for a message', () => {
    expect(cardToolbar(card({ regime: 'message', access: { mayExtendAppeal: false } }), ME)).toEqual([]);
    expect(extensionKinds(card({ access: { mayExtendAppeal: true, mayExtendLine2: true } }))).toEqual([
      'appeal',
      'line2',
    ]);
    expect(extensionKinds(card({ regime: 'message', access: { mayExtendLine2: true } }))).toEqual(['line2']);
  });
});

describe('redirectDialogText: the redirect dialog says the rule of what it redirects', () => {
  it('cites 59-ФЗ for an appeal, and not for a message outside 59-ФЗ', () => {
    expect(redirectDialogText({ regime: 'appeal' })).toEqual({
      title: 'Направить по компетенции (ч. 3 ст. 8 59-ФЗ)',
      note: expect.stringMatching(/в течение 7 дней со дня регистрации/),
    });
    const message = redirectDialogText({ regime: 'message' });
    expect(message.title).toBe('Направить сообщение по компетенции');
    expect(message.title).not.toMatch(/59-ФЗ/);
    expect(message.note).toMatch(/^Это сообщение, а не обращение по 59-ФЗ/);
    expect(message.note).not.toMatch(/7 дней/);
  });
});

describe('extendedNotice: what «Продлить срок» says when done', () => {
  it("names the new term in the appeal's zone; a line-2 request's, the viewer's part's with its time", () => {
    const extended = card({
      timeZone: 'Asia/Novosibirsk',
      deadlines: { extended: true, answerDueAt: '2027-01-12T16:59:59.999Z' },
      organisations: [
        { id: 'other', line: 2, extendedUntil: '2026-12-20T11:00:00Z' },
        { id: 'minzhkh', line: 2, extendedUntil: '2026-12-18T11:00:00Z' },
      ],
    } as unknown as Partial<AppealCard>);
    expect(extendedNotice(extended, 'appeal', 'minzhkh')).toBe('Срок продлён до 12 января 2027 г.');
    expect(extendedNotice(extended, 'line2', 'minzhkh')).toBe(
      'Срок 2-й линии продлён до 18 декабря 2026 г., 18:00',
    );
    expect(extendedNotice(extended, 'line2', 'cur')).toBe('Срок 2-й линии продлён');
  });
});
