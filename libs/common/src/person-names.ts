/** What stands for a person's name on a screen that must not show it (an administrator's). */
export const NAME_MASK = '[имя скрыто]';

/** A person's names as the applicant record keeps them; any may be missing. */
export interface PersonNames {
  surname?: string | null;
  firstName?: string | null;
  patronymic?: string | null;
  displayName?: string | null;
}

/** Letters a Russian name may lose before its case ending (Мария → Марии, Осипов → Осипова stays whole). */
const DROPPED_ENDING = /[аяеоуыиюйь]$/u;
/** Initials beside a surname: «Осипова В. Р.», «В.Р. Осипова», «Осипов В.». */
const INITIALS = '[А-ЯЁA-Z]\\.\\s?(?:[А-ЯЁA-Z]\\.)?';

/**
 * A word as a pattern that matches it in any case ending (up to three letters after its stem), its first letter
 * a capital as names are written (so the first name «Лев» leaves «левый берег» alone), the rest in any case (a
 * text in capitals too).
 */
function wordPattern(word: string): string {
  const lower = word.toLocaleLowerCase('ru-RU');
  const stem = lower.length > 4 ? lower.replace(DROPPED_ENDING, '') : lower;
  const [first, ...rest] = [...stem];
  const letters = rest.map((c) => {
    const upper = c.toLocaleUpperCase('ru-RU');
    return upper === c ? escape(c) : `[${escape(c)}${escape(upper)}]`;
  });
  return `${escape(first.toLocaleUpperCase('ru-RU'))}${letters.join('')}\\p{L}{0,3}`;
}

const escape = (s: string) => s.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');

/** The words of a person's names worth looking for: letters only, three or more of them. */
function nameWords(person: PersonNames): string[] {
  const all = [person.surname, person.firstName, person.patronymic, person.displayName]
    .flatMap((v) => (v ?? '').split(/[^\p{L}]+/u))
    .filter((w) => [...w].length >= 3);
  return [...new Set(all.map((w) => w.toLocaleLowerCase('ru-RU')))];
}

/**
 * A function that puts the person's names (in any case ending, with the initials written beside them) as
 * «[имя скрыто]», a run of them («Смирнов Антон Валерьевич») as one; the text as it was when no name is known.
 * For the texts an administrator reads: the applicant's name is known, so where the citizen signed or an
 * authority named them, it goes.
 */
export function personNameMask(person: PersonNames): (text: string) => string {
  const words = nameWords(person);
  if (words.length === 0) return (text) => text;
  const names = words.map(wordPattern).join('|');
  const pattern = new RegExp(
    `(?<!\\p{L})(?:${INITIALS}\\s?)?(?:${names})(?:\\s${INITIALS})?(?!\\p{L})`,
    'gu',
  );
  const run = new RegExp(`${escape(NAME_MASK)}(?:[\\s,]+${escape(NAME_MASK)})+`, 'gu');
  return (text) => text.replace(pattern, NAME_MASK).replace(run, NAME_MASK);
}

/** Every string inside a value (arrays and objects, however deep) with the person's names masked. */
export function maskPersonNames<T>(value: T, person: PersonNames): T {
  const mask = personNameMask(person);
  const walk = (v: unknown): unknown => {
    if (typeof v === 'string') return mask(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object' && !(v instanceof Date)) {
      return Object.fromEntries(Object.entries(v).map(([k, inner]) => [k, walk(inner)]));
    }
    return v;
  };
  return walk(value) as T;
}
