import { fnv1a, mix } from './hash';
import { tokenize } from './text';

/**
 * Near-duplicate detection for incidents and repeated appeals: word n-gram shingles of the normalised text,
 * Jaccard similarity, and MinHash LSH bands so that candidates are found by an index lookup instead of
 * comparing a new item with every recent one.
 */

export const SHINGLE_WORDS = 3;
/** 12 bands of 2 MinHash rows: a pair at Jaccard 0.6 shares a band with probability ≈ 0.995, at 0.2 ≈ 0.39. */
export const LSH_BANDS = 12;
export const LSH_ROWS = 2;

/** Word `n`-grams of the normalised text; a text shorter than `n` words is one shingle. */
export function wordShingles(text: string, n = SHINGLE_WORDS): Set<string> {
  const words = tokenize(text, 20_000);
  const out = new Set<string>();
  if (words.length === 0) return out;
  if (words.length < n) {
    out.add(words.join(' '));
    return out;
  }
  if (n === 3) {
    // The usual width, without an array per shingle: the same strings as the general case below.
    for (let i = 0; i + 3 <= words.length; i++) out.add(`${words[i]} ${words[i + 1]} ${words[i + 2]}`);
    return out;
  }
  for (let i = 0; i + n <= words.length; i++) out.add(words.slice(i, i + n).join(' '));
  return out;
}

export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 || b.size === 0) return 0;
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let common = 0;
  for (const s of small) if (large.has(s)) common++;
  return common / (a.size + b.size - common);
}

const SEEDS = Array.from({ length: LSH_BANDS * LSH_ROWS }, (_, i) => mix(0x9e3779b9 + i * 0x632be5ab));

/**
 * LSH band keys of the shingles' MinHash signature, as decimal strings of non-negative integers below
 * 2^36 (band index × 2^32 + the band's hash), ready for a bigint[] column. No shingles, no keys.
 */
export function minHashBands(shingles: ReadonlySet<string>): string[] {
  if (shingles.size === 0) return [];
  const mins = new Array<number>(SEEDS.length).fill(0xffffffff);
  for (const shingle of shingles) {
    const base = fnv1a(shingle);
    for (let k = 0; k < SEEDS.length; k++) {
      const h = mix(base ^ SEEDS[k]);
      if (h < mins[k]) mins[k] = h;
    }
  }
  const keys: string[] = [];
  for (let b = 0; b < LSH_BANDS; b++) {
    let h = 0x811c9dc5 ^ b;
    for (let r = 0; r < LSH_ROWS; r++) h = Math.imul(h ^ mins[b * LSH_ROWS + r], 0x01000193);
    keys.push(String(b * 2 ** 32 + (mix(h) >>> 0)));
  }
  return keys;
}

const LOCALITY_MARKERS = new Set([
  'г',
  'гор',
  'город',
  'с',
  'село',
  'п',
  'пос',
  'поселок',
  'пгт',
  'рп',
  'ст',
  'станица',
  'деревня',
  'дер',
  'мкр',
  'микрорайон',
]);
const STREET_MARKERS = new Set([
  'ул',
  'улица',
  'пр',
  'пр-т',
  'просп',
  'проспект',
  'пер',
  'переулок',
  'пл',
  'площадь',
  'б-р',
  'бульвар',
  'ш',
  'шоссе',
  'наб',
  'набережная',
  'проезд',
  'тракт',
  'мкрн',
]);
const HOUSE_MARKERS = new Set(['д', 'дом', 'зд', 'здание', 'стр', 'строение', 'корп', 'корпус', 'к']);
const STOP_AT = new Set(['кв', 'квартира', 'оф', 'офис', 'комн', 'комната', 'подъезд', 'под', 'этаж', 'эт']);
const HOUSE_NUMBER = /^\d+[а-я]?(\/\d+[а-я]?)?$/;

/**
 * A comparable key of an address: locality (when marked: "г.", "с."…), street words and house number, lower
 * case with ё→е, without the flat or office ("г. Северогорск, ул. Ленина, д. 15, кв. 4" →
 * "северогорск|ленина|15"). Undefined when no street can be told apart.
 */
export function addressKey(address: string | null | undefined): string | undefined {
  if (!address) return undefined;
  const tokens = address
    .toLowerCase()
    .replace(/ё/g, 'е')
    .split(/[^a-zа-я0-9/-]+/)
    .map((t) => t.replace(/^-+|-+$/g, ''))
    .filter((t) => t !== '' && !/^\d{6}$/.test(t));
  let locality = '';
  const street: string[] = [];
  let house = '';
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (STOP_AT.has(t)) break;
    if (LOCALITY_MARKERS.has(t)) {
      const next = tokens[i + 1];
      if (next && !HOUSE_NUMBER.test(next)) {
        locality = next;
        i++;
      }
      continue;
    }
    if (STREET_MARKERS.has(t)) {
      // Words before the street marker name the locality ("Северогорск, ул. Ленина").
      if (street.length > 0 && !locality) locality = street.join(' ');
      street.length = 0;
      continue;
    }
    if (HOUSE_MARKERS.has(t)) continue;
    if (HOUSE_NUMBER.test(t)) {
      if (street.length > 0) {
        house = t;
        break;
      }
      // A leading number belongs to the street's name ("1-я Садовая") or is a postcode remnant.
      street.push(t);
      continue;
    }
    if (/^\d/.test(t)) {
      street.push(t);
      continue;
    }
    street.push(t);
    if (street.length > 4) street.shift();
  }
  const streetWords = street.filter((w) => /[а-яa-z]/.test(w));
  if (streetWords.length === 0) return undefined;
  return `${locality}|${street.slice(-3).join(' ')}|${house}`;
}
