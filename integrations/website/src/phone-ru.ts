/**
 * The one phone rule of the citizens' form, for the server and the page alike: the api serves this very function to
 * the page as its source text (apps/api/src/public-site, `/phone-rule.js`), so the page can never pass a number the
 * server then refuses, nor refuse one the server takes.
 *
 * It must therefore stay self-contained — no imports, no names from outside its body — and plain enough for any
 * browser the portal supports.
 *
 * What a Russian citizen types, normalised to E.164 (ITU-T E.164; the Russian national number is 10 digits, Приказ
 * Мининформсвязи № 142 «Российская система и план нумерации»):
 * - «+7 913 123-45-67», «8 (913) 123-45-67», «7 913 1234567» — 11 digits after 8 or 7: +79131234567;
 * - «913 123 45 67», «383 222-33-44», «(383) 222-33-44» — the 10-digit national number of a mobile (9xx) or a
 *   landline with its area code (3xx, 4xx, 8xx; 6xx and 7xx are Kazakhstan's, in the same +7 zone): +7 before it;
 * - «+375 29 123-45-67» — a foreign number with its country code, 8 to 15 digits: kept as typed, digits only.
 * A 5- to 7-digit number («222-33-44») is a city number without its area code: it cannot be dialled from outside the
 * city, and the citizen is asked for the code. Anything else (letters, an extension, too few or too many digits) is
 * refused with an example.
 */
export function parsePhoneRu(raw: string): { phone: string } | { error: string } {
  const example = 'например: +7 913 123-45-67 или 8 383 222-33-44';
  const typed = String(raw).trim();
  if (!/^\+?[\d\s\u00a0().-]+$/.test(typed)) {
    return { error: `Номер телефона может содержать только цифры, пробелы, скобки и дефисы, ${example}` };
  }
  const digits = typed.replace(/\D/g, '');
  if (typed.startsWith('+')) {
    if (digits.startsWith('7')) {
      if (/^7[3-9]\d{9}$/.test(digits)) return { phone: `+${digits}` };
    } else if (digits.length >= 8 && digits.length <= 15) return { phone: `+${digits}` };
  } else {
    if (/^[78][3-9]\d{9}$/.test(digits)) return { phone: `+7${digits.slice(1)}` };
    if (/^[3-9]\d{9}$/.test(digits)) return { phone: `+7${digits}` };
    if (digits.length >= 5 && digits.length <= 7) {
      return { error: 'Укажите номер вместе с кодом города, например: 8 383 222-33-44' };
    }
  }
  return { error: `Укажите номер телефона полностью, с кодом города или оператора, ${example}` };
}
