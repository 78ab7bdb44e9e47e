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

/** The first sentence: at least three characters up to and including the first `.`, `!`, `?` or line break. */
const FIRST_SENTENCE = /^[^.!?\n]{3,}[.!?\n]/;

/**
 * The text with its first sentence appended once more, so that its words and character n-grams count twice.
 * A text of one sentence (or whose first sentence is all but its last three characters) is returned as is.
 */
export function repeatFirstSentence(text: string): string {
  const first = FIRST_SENTENCE.exec(text);
  return first && first[0].length < text.trim().length - 3 ? `${text}\n${first[0]}` : text;
}
