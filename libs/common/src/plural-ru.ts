/**
 * The Russian plural form for a whole number: `pluralRu(21, 'день', 'дня', 'дней')` → 'день' (1, 21, 101), 'дня'
 * (2–4, 22–24), 'дней' (0, 5–20, 25–30, 11–14). Hand-written: Intl.PluralRules only names the category, the forms are
 * ours anyway, and the rule is four lines.
 */
export function pluralRu(n: number, one: string, few: string, many: string): string {
  const whole = Math.abs(Math.trunc(n));
  const mod10 = whole % 10;
  const mod100 = whole % 100;
  if (mod10 === 1 && mod100 !== 11) return one;
  if (mod10 >= 2 && mod10 <= 4 && (mod100 < 12 || mod100 > 14)) return few;
  return many;
}

/** The number with its noun: `countRu(30, 'день', 'дня', 'дней')` → '30 дней'. */
export function countRu(n: number, one: string, few: string, many: string): string {
  return `${n} ${pluralRu(n, one, few, many)}`;
}
