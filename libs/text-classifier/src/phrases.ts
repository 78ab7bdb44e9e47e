import { CachedStemmer } from './stemmer';
import { tokenize } from './text';

const stemmer = new CachedStemmer(50_000);

/** A text as the phrase matchers see it: normalised words (lower case, ё→е) and their Snowball stems. */
export interface StemmedText {
  readonly words: readonly string[];
  readonly stems: readonly string[];
}

export function stemText(text: string, maxChars = 20_000): StemmedText {
  const words = tokenize(text, maxChars);
  return { words, stems: words.map((w) => stemmer.stem(w)) };
}

/**
 * A phrase compiled for matching: one entry per word, its stem, or a literal prefix when the word was
 * written with a trailing `*` ("замерза*"). An empty phrase never matches.
 */
export type CompiledPhrase = readonly { readonly stem: string; readonly prefix: boolean }[];

export function compilePhrase(phrase: string): CompiledPhrase {
  return phrase
    .split(/\s+/)
    .filter((part) => part !== '')
    .flatMap((part) => {
      const prefix = part.endsWith('*');
      const words = tokenize(prefix ? part.slice(0, -1) : part);
      return words.map((word, i) => ({
        stem: prefix && i === words.length - 1 ? word : stemmer.stem(word),
        prefix: prefix && i === words.length - 1,
      }));
    });
}

/**
 * Whether the phrase's words occur consecutively in the text, each matching by stem ("открытый люк" finds
 * "открытого люка") or, for a `*` word, by prefix of the normalised word.
 */
export function containsPhrase(text: StemmedText, phrase: CompiledPhrase): boolean {
  if (phrase.length === 0 || phrase.length > text.stems.length) return false;
  outer: for (let start = 0; start + phrase.length <= text.stems.length; start++) {
    for (let k = 0; k < phrase.length; k++) {
      const p = phrase[k];
      const ok = p.prefix ? text.words[start + k].startsWith(p.stem) : text.stems[start + k] === p.stem;
      if (!ok) continue outer;
    }
    return true;
  }
  return false;
}

/** Phrases compiled once: the rubricator's typical needs and the court phrases are asked of every appeal. */
const COMPILED_ENTRIES = 20_000;
const compiled = new Map<string, CompiledPhrase>();

/** {@link compilePhrase}, remembered by the phrase as written (a compiled phrase is never changed). */
export function compiledPhrase(phrase: string): CompiledPhrase {
  let c = compiled.get(phrase);
  if (c === undefined) {
    c = compilePhrase(phrase);
    if (compiled.size >= COMPILED_ENTRIES) compiled.clear();
    compiled.set(phrase, c);
  }
  return c;
}

/** The phrases (as written) that occur in the text. */
export function findPhrases(text: StemmedText, phrases: readonly string[]): string[] {
  return phrases.filter((p) => containsPhrase(text, compiledPhrase(p)));
}
