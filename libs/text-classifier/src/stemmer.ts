/**
 * Russian Snowball (Porter) stemmer, a faithful port of the Snowball `russian` algorithm
 * (https://snowballstem.org/algorithms/russian/stemmer.html).
 *
 * Input is expected in lower case; `ё` is treated as `е`. Words without Cyrillic vowels are returned as is.
 */

const VOWELS = new Set(['а', 'е', 'и', 'о', 'у', 'ы', 'э', 'ю', 'я']);

/** An ending group: endings that need a preceding `а`/`я` (group 1) and endings that do not (group 2). */
interface EndingGroup {
  readonly afterAYa: readonly string[];
  readonly plain: readonly string[];
}

const PERFECTIVE_GERUND: EndingGroup = {
  afterAYa: ['в', 'вши', 'вшись'],
  plain: ['ив', 'ивши', 'ившись', 'ыв', 'ывши', 'ывшись'],
};

const ADJECTIVE: EndingGroup = {
  afterAYa: [],
  plain: [
    'ее',
    'ие',
    'ые',
    'ое',
    'ими',
    'ыми',
    'ей',
    'ий',
    'ый',
    'ой',
    'ем',
    'им',
    'ым',
    'ом',
    'его',
    'ого',
    'ему',
    'ому',
    'их',
    'ых',
    'ую',
    'юю',
    'ая',
    'яя',
    'ою',
    'ею',
  ],
};

const PARTICIPLE: EndingGroup = {
  afterAYa: ['ем', 'нн', 'вш', 'ющ', 'щ'],
  plain: ['ивш', 'ывш', 'ующ'],
};

const REFLEXIVE: EndingGroup = { afterAYa: [], plain: ['ся', 'сь'] };

const VERB: EndingGroup = {
  afterAYa: [
    'ла',
    'на',
    'ете',
    'йте',
    'ли',
    'й',
    'л',
    'ем',
    'н',
    'ло',
    'но',
    'ет',
    'ют',
    'ны',
    'ть',
    'ешь',
    'нно',
  ],
  plain: [
    'ила',
    'ыла',
    'ена',
    'ейте',
    'уйте',
    'ите',
    'или',
    'ыли',
    'ей',
    'уй',
    'ил',
    'ыл',
    'им',
    'ым',
    'ен',
    'ило',
    'ыло',
    'ено',
    'ят',
    'ует',
    'уют',
    'ит',
    'ыт',
    'ены',
    'ить',
    'ыть',
    'ишь',
    'ую',
    'ю',
  ],
};

const NOUN: EndingGroup = {
  afterAYa: [],
  plain: [
    'а',
    'ев',
    'ов',
    'ие',
    'ье',
    'е',
    'иями',
    'ями',
    'ами',
    'еи',
    'ии',
    'и',
    'ией',
    'ей',
    'ой',
    'ий',
    'й',
    'иям',
    'ям',
    'ием',
    'ем',
    'ам',
    'ом',
    'о',
    'у',
    'ах',
    'иях',
    'ях',
    'ы',
    'ь',
    'ию',
    'ью',
    'ю',
    'ия',
    'ья',
    'я',
  ],
};

/** Endings sorted longest first, each flagged with whether it needs a preceding `а`/`я`. */
type CompiledGroup = readonly { readonly ending: string; readonly afterAYa: boolean }[];

function compile(group: EndingGroup): CompiledGroup {
  return [
    ...group.afterAYa.map((ending) => ({ ending, afterAYa: true })),
    ...group.plain.map((ending) => ({ ending, afterAYa: false })),
  ].sort((a, b) => b.ending.length - a.ending.length);
}

const C_PERFECTIVE_GERUND = compile(PERFECTIVE_GERUND);
const C_ADJECTIVE = compile(ADJECTIVE);
const C_PARTICIPLE = compile(PARTICIPLE);
const C_REFLEXIVE = compile(REFLEXIVE);
const C_VERB = compile(VERB);
const C_NOUN = compile(NOUN);

/**
 * Snowball `among` semantics in backward mode: the longest ending that matches inside the region is chosen;
 * if its condition fails the whole step fails (shorter endings are not retried).
 * Returns the new word length after removal, or -1 if nothing was removed.
 */
function removeEnding(word: string, end: number, limit: number, group: CompiledGroup): number {
  for (const { ending, afterAYa } of group) {
    const start = end - ending.length;
    if (start < limit) continue;
    if (!word.startsWith(ending, start)) continue;
    if (afterAYa) {
      if (start - 1 < limit) return -1;
      const prev = word[start - 1];
      if (prev !== 'а' && prev !== 'я') return -1;
    }
    return start;
  }
  return -1;
}

function markRegions(word: string): { rv: number; r2: number } {
  const n = word.length;
  let i = 0;
  const gopastVowel = (): boolean => {
    while (i < n && !VOWELS.has(word[i])) i++;
    if (i >= n) return false;
    i++;
    return true;
  };
  const gopastNonVowel = (): boolean => {
    while (i < n && VOWELS.has(word[i])) i++;
    if (i >= n) return false;
    i++;
    return true;
  };
  let rv = n;
  let r2 = n;
  if (gopastVowel()) {
    rv = i;
    if (gopastNonVowel() && gopastVowel() && gopastNonVowel()) r2 = i;
  }
  return { rv, r2 };
}

/** Stems one lower-case Russian word. */
export function stemRussian(input: string): string {
  const word = input.includes('ё') ? input.replace(/ё/g, 'е') : input;
  const { rv, r2 } = markRegions(word);
  if (rv >= word.length) return word;
  let end = word.length;

  // Step 1.
  const gerund = removeEnding(word, end, rv, C_PERFECTIVE_GERUND);
  if (gerund >= 0) {
    end = gerund;
  } else {
    const reflexive = removeEnding(word, end, rv, C_REFLEXIVE);
    if (reflexive >= 0) end = reflexive;
    const adjective = removeEnding(word, end, rv, C_ADJECTIVE);
    if (adjective >= 0) {
      end = adjective;
      const participle = removeEnding(word, end, rv, C_PARTICIPLE);
      if (participle >= 0) end = participle;
    } else {
      const verb = removeEnding(word, end, rv, C_VERB);
      if (verb >= 0) {
        end = verb;
      } else {
        const noun = removeEnding(word, end, rv, C_NOUN);
        if (noun >= 0) end = noun;
      }
    }
  }

  // Step 2: a trailing `и`.
  if (end - 1 >= rv && word[end - 1] === 'и') end--;

  // Step 3: derivational `ост`/`ость` in R2.
  for (const ending of ['ость', 'ост']) {
    const start = end - ending.length;
    if (start >= rv && start >= r2 && word.startsWith(ending, start)) {
      end = start;
      break;
    }
  }

  // Step 4: superlative (then undouble `нн`), undouble `нн`, or a soft sign.
  let superlative = -1;
  for (const ending of ['ейше', 'ейш']) {
    const start = end - ending.length;
    if (start >= rv && word.startsWith(ending, start)) {
      superlative = start;
      break;
    }
  }
  if (superlative >= 0) {
    end = superlative;
    if (end - 2 >= rv && word[end - 1] === 'н' && word[end - 2] === 'н') end--;
  } else if (end - 2 >= rv && word[end - 1] === 'н' && word[end - 2] === 'н') {
    end--;
  } else if (end - 1 >= rv && word[end - 1] === 'ь') {
    end--;
  }
  return word.slice(0, end);
}

/** A stemmer with a bounded memo: the vocabulary of appeals is small and heavily repeated. */
export class CachedStemmer {
  private readonly cache = new Map<string, string>();

  constructor(private readonly maxEntries = 200_000) {}

  stem(word: string): string {
    let stem = this.cache.get(word);
    if (stem === undefined) {
      stem = stemRussian(word);
      if (this.cache.size >= this.maxEntries) this.cache.clear();
      this.cache.set(word, stem);
    }
    return stem;
  }
}
