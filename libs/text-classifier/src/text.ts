/**
 * Russian text normalisation for classification: lower case, `ё`→`е`, words of Cyrillic or Latin letters
 * only (digits, punctuation, emoji and URLs' punctuation are separators), de-personalisation masks
 * (`XXXX`, `ХХХ`) dropped.
 */

const WORD = /[a-zа-я]+/g;
/** Masks left by de-personalisation: runs of Latin or Cyrillic x. */
const MASK = /^[xх]+$/;

/** Lower case and `ё`→`е`, nothing else (used for categorical values too). */
export function foldCase(text: string): string {
  return text.toLowerCase().replace(/ё/g, 'е');
}

/**
 * Splits text into normalised words. Masks of three or more x are dropped (a real `х` is rarely a word
 * on its own and never three times in a row).
 */
export function tokenize(text: string, maxChars = 5000): string[] {
  const folded = foldCase(text.length > maxChars ? text.slice(0, maxChars) : text);
  const words = folded.match(WORD);
  if (!words) return [];
  const out: string[] = [];
  for (const word of words) {
    if (word.length >= 3 && MASK.test(word)) continue;
    out.push(word);
  }
  return out;
}
