import { runInNewContext } from 'node:vm';
import { parsePhoneRu } from './phone-ru';

/** What citizens type, and what the rule makes of it: the E.164 number, or the start of the refusal. */
const CASES: [typed: string, expected: string][] = [
  ['+7 913 123-45-67', '+79131234567'],
  ['8 (913) 123-45-67', '+79131234567'],
  ['89131234567', '+79131234567'],
  ['7 913 1234567', '+79131234567'],
  ['913 123 45 67', '+79131234567'],
  ['383 222-33-44', '+73832223344'],
  ['(383) 222-33-44', '+73832223344'],
  ['8 (383) 222-33-44', '+73832223344'],
  ['8-383-222-33-44', '+73832223344'],
  ['8 800 200-00-00', '+78002000000'],
  ['812.123.45.67', '+78121234567'],
  ['+375 29 123-45-67', '+375291234567'],
  ['\u00a0+7\u00a0913\u00a0123\u00a045\u00a067 ', '+79131234567'],
  ['2223344', 'Укажите номер вместе с кодом города'],
  ['222-33-44', 'Укажите номер вместе с кодом города'],
  ['12', 'Укажите номер телефона полностью'],
  ['123 456 78 90', 'Укажите номер телефона полностью'],
  ['+7 13 123-45-67', 'Укажите номер телефона полностью'],
  ['8 913 123-45-67 доб. 5', 'Номер телефона может содержать только цифры'],
  ['+7 913 123-45-67+', 'Номер телефона может содержать только цифры'],
  ['+1 2', 'Укажите номер телефона полностью'],
  ['8913123456789', 'Укажите номер телефона полностью'],
];

function outcome(result: { phone: string } | { error: string }): string {
  return 'phone' in result ? result.phone : result.error;
}

describe('parsePhoneRu — the form’s one phone rule', () => {
  it.each(CASES)('«%s» → %s', (typed, expected) => {
    expect(outcome(parsePhoneRu(typed))).toMatch(new RegExp(`^${expected.replace(/[+.()]/g, '\\$&')}`));
  });

  it('gives every refusal in Russian with an example the rule itself takes', () => {
    for (const [typed] of CASES) {
      const result = parsePhoneRu(typed);
      if (!('error' in result)) continue;
      expect(result.error).not.toMatch(/[A-Za-z]|undefined|null/);
      const example = /например: (.+)$/.exec(result.error)?.[1] ?? '';
      for (const sample of example.split(' или ')) expect(parsePhoneRu(sample)).toHaveProperty('phone');
    }
  });

  it('runs the same from its own source text, as the page gets it (no outside names)', () => {
    const pageRule = runInNewContext(`(${parsePhoneRu.toString()})`) as typeof parsePhoneRu;
    for (const [typed] of CASES) expect(pageRule(typed)).toEqual(parsePhoneRu(typed));
  });
});
