import { FNV_OFFSET, FNV_PRIME, fnv1a, mix } from './hash';
import { CachedStemmer } from './stemmer';
import { foldCase, repeatFirstSentence, tokenize } from './text';

/** How text and structured inputs become a sparse vector. Stored in the model file. */
export interface FeatureConfig {
  /** Word n-grams over stems: 0 none, 1 unigrams, 2 unigrams + bigrams. */
  readonly wordNgrams: number;
  /** Character n-grams inside word boundaries (` слово `), from `charMin` to `charMax`; 0 disables. */
  readonly charMin: number;
  readonly charMax: number;
  /** Terms seen in fewer training documents are dropped. */
  readonly minDf: number;
  /** Keep at most this many terms (the most frequent); 0 = no cap. */
  readonly maxFeatures: number;
  /** `1 + ln(tf)` instead of raw counts. */
  readonly sublinearTf: boolean;
  /** Each block (word, char) is L2-normalised separately, then scaled by its weight. */
  readonly wordWeight: number;
  readonly charWeight: number;
  /** Value of each one-hot structured feature (`f:city_object=двор`). */
  readonly categoricalWeight: number;
  /** Structured input columns, one-hot encoded. */
  readonly featureColumns: readonly string[];
  /** Also add pairwise crosses of structured inputs (`district=…|city_object=…`). */
  readonly crosses: boolean;
  /**
   * Also cross each structured input with each word stem (`city_object=дом|снег`): lets the model learn
   * that the same words mean different topics on different objects. Its own L2-normalised block.
   */
  readonly textCrosses: boolean;
  readonly textCrossWeight: number;
  /** Longer texts are cut (bounds prediction time). */
  readonly maxChars: number;
  /**
   * Count the first sentence of a text of several sentences twice (words and character n-grams): the first
   * sentence usually names the problem, the rest describes it.
   */
  readonly repeatFirstSentence: boolean;
}

export const DEFAULT_FEATURE_CONFIG: FeatureConfig = {
  wordNgrams: 2,
  charMin: 2,
  charMax: 5,
  minDf: 2,
  maxFeatures: 0,
  sublinearTf: true,
  wordWeight: 1,
  charWeight: 1,
  categoricalWeight: 1,
  featureColumns: [],
  crosses: false,
  textCrosses: false,
  textCrossWeight: 1,
  maxChars: 5000,
  repeatFirstSentence: false,
};

/** One item to classify: free text plus optional structured inputs keyed by column name. */
export interface ClassifierInput {
  readonly text: string;
  readonly features?: Readonly<Record<string, string | null | undefined>>;
}

/**
 * One input's term keys (first occurrence order) and their counts (integers: 8 bytes a term, so a training can
 * keep all its rows' terms from the calibration fit to the refit).
 */
export interface ExtractedTerms {
  readonly keys: Int32Array;
  readonly counts: Int32Array;
}

export interface SparseVector {
  readonly indices: Int32Array;
  readonly values: Float32Array;
}

const enum Block {
  Word = 0,
  Char = 1,
  Categorical = 2,
  TextCross = 3,
}

/**
 * Terms are identified by a 28-bit hash plus the block in the low 2 bits: a small integer key is far
 * cheaper to count and look up than a string, and with ~10^6 distinct raw terms collisions are rare and
 * harmless (they only merge two rare terms).
 */
function termKey(hash: number, block: Block): number {
  return ((hash & 0x0fffffff) << 2) | block;
}

function blockOf(key: number): Block {
  return (key & 3) as Block;
}

const SEED_UNIGRAM = 0x1b873593;
const SEED_BIGRAM = 0x27d4eb2f;
const SEED_CHAR = 0x165667b1;
const SEED_CATEGORICAL = 0x61c88647;
const SEED_TEXT_CROSS = 0x3c6ef372;
const SPACE = 32;
/** `1 + ln(tf)` of small counts (most terms occur once or twice), computed as for any other count. */
const SUBLINEAR_TF = Float64Array.from({ length: 64 }, (_, count) => 1 + Math.log(count));
/** Distinct words whose stem hash is kept (the cache is emptied when full). */
const STEM_CACHE_ENTRIES = 200_000;

/** Serialised form of a fitted featurizer. */
export interface FeaturizerState {
  readonly config: FeatureConfig;
  readonly documents: number;
  /** Term keys (hash << 2 | block) in index order, base64 of an Int32Array. */
  readonly terms: string;
  /** Document frequency of each term in training data (for IDF), base64 of an Int32Array. */
  readonly df: string;
}

/**
 * Open-addressing hash table from term key to vocabulary index: one multiply and usually one probe into
 * typed arrays, cheaper than a Map<number, number> lookup per term occurrence.
 */
class TermIndex {
  private readonly keys: Int32Array;
  /** Vocabulary index + 1 (0 = empty slot). */
  private readonly slots: Int32Array;
  private readonly shift: number;
  private readonly mask: number;

  constructor(terms: Int32Array) {
    let bits = 4;
    while (1 << bits < terms.length * 2) bits++;
    this.keys = new Int32Array(1 << bits);
    this.slots = new Int32Array(1 << bits);
    this.shift = 32 - bits;
    this.mask = (1 << bits) - 1;
    for (let j = 0; j < terms.length; j++) {
      let slot = Math.imul(terms[j], 0x9e3779b1) >>> this.shift;
      while (this.slots[slot] !== 0 && this.keys[slot] !== terms[j]) slot = (slot + 1) & this.mask;
      if (this.slots[slot] !== 0) continue;
      this.keys[slot] = terms[j];
      this.slots[slot] = j + 1;
    }
  }

  /** The vocabulary index of a term key, or -1. */
  get(key: number): number {
    let slot = Math.imul(key, 0x9e3779b1) >>> this.shift;
    for (;;) {
      const s = this.slots[slot];
      if (s === 0) return -1;
      if (this.keys[slot] === key) return s - 1;
      slot = (slot + 1) & this.mask;
    }
  }
}

/** Turns inputs into TF-IDF vectors (each block L2-normalised) over a pruned, hashed vocabulary. */
export class Featurizer {
  private readonly stemmer = new CachedStemmer();
  private termIndex = new TermIndex(new Int32Array(0));
  private readonly stemHashes = new Map<string, number>();
  /** Scratch of {@link transform}: counts by vocabulary index (all zero between calls), indices seen. */
  private counts = new Int32Array(0);
  private touched = new Int32Array(256);
  /** Scratch of {@link collectTerms}: the term keys of the current input. */
  private keys = new Int32Array(1024);
  private keyCount = 0;
  private idf = new Float32Array(0);
  private blocks = new Uint8Array(0);
  private terms: Int32Array = new Int32Array(0);
  private df: Int32Array = new Int32Array(0);
  private documents = 0;

  constructor(readonly config: FeatureConfig) {}

  get size(): number {
    return this.terms.length;
  }

  /** Whether vocabulary term `index` is a character n-gram. */
  isCharTerm(index: number): boolean {
    return this.blocks[index] === Block.Char;
  }

  /** Counts the term keys of one input (training's path; {@link transform} reads the same keys). */
  extractTerms(input: ClassifierInput): Map<number, number> {
    const counts = new Map<number, number>();
    const n = this.collectTerms(input);
    const keys = this.keys;
    for (let i = 0; i < n; i++) counts.set(keys[i], (counts.get(keys[i]) ?? 0) + 1);
    return counts;
  }

  /**
   * Writes the key of every term occurrence of one input, in text order, to {@link keys} (reused between
   * calls) and returns how many there are.
   */
  private collectTerms(input: ClassifierInput): number {
    const { config } = this;
    this.keyCount = 0;
    const text = input.text ?? '';
    const words = tokenize(config.repeatFirstSentence ? repeatFirstSentence(text) : text, config.maxChars);
    const stemHashes: number[] = [];
    if (config.wordNgrams > 0) {
      let previous: number | undefined;
      for (const word of words) {
        if (word.length < 2) continue;
        const h = this.stemHash(word);
        stemHashes.push(h);
        this.pushKey(termKey(mix(h), Block.Word));
        if (config.wordNgrams > 1 && previous !== undefined) {
          this.pushKey(termKey(mix(Math.imul(previous ^ SEED_BIGRAM, 0x9e3779b1) ^ h), Block.Word));
        }
        previous = h;
      }
    }
    if (config.charMax > 0) {
      const { charMin, charMax } = config;
      for (const word of words) {
        const len = word.length + 2;
        for (let i = 0; i + charMin <= len; i++) {
          let h = FNV_OFFSET ^ SEED_CHAR;
          for (let n = 1; n <= charMax && i + n <= len; n++) {
            const p = i + n - 1;
            const code = p === 0 || p === len - 1 ? SPACE : word.charCodeAt(p - 1);
            h = Math.imul(h ^ code, FNV_PRIME);
            if (n >= charMin) this.pushKey(termKey(mix(h), Block.Char));
          }
        }
      }
    }
    if (config.featureColumns.length > 0) {
      const values = config.featureColumns.map((column) => {
        const raw = input.features?.[column];
        return raw === null || raw === undefined ? '' : foldCase(String(raw).trim());
      });
      const columns = config.featureColumns;
      columns.forEach((column, k) => {
        this.pushKey(termKey(mix(fnv1a(`${column}=${values[k]}`, SEED_CATEGORICAL)), Block.Categorical));
        if (config.textCrosses) {
          const base = Math.imul(fnv1a(`${column}=${values[k]}`, SEED_TEXT_CROSS), 0x9e3779b1);
          for (const h of stemHashes) this.pushKey(termKey(mix(base ^ h), Block.TextCross));
        }
      });
      if (config.crosses) {
        for (let a = 0; a < values.length; a++) {
          for (let b = a + 1; b < values.length; b++) {
            const text = `${columns[a]}=${values[a]}|${columns[b]}=${values[b]}`;
            this.pushKey(termKey(mix(fnv1a(text, SEED_CATEGORICAL)), Block.Categorical));
          }
        }
      }
    }
    return this.keyCount;
  }

  private pushKey(key: number): void {
    if (this.keyCount === this.keys.length) {
      const grown = new Int32Array(this.keys.length * 2);
      grown.set(this.keys);
      this.keys = grown;
    }
    this.keys[this.keyCount++] = key;
  }

  /** The unigram hash of a word's stem; stemming is most of a word's cost and words repeat a lot. */
  private stemHash(word: string): number {
    let h = this.stemHashes.get(word);
    if (h === undefined) {
      h = fnv1a(this.stemmer.stem(word), SEED_UNIGRAM);
      if (this.stemHashes.size >= STEM_CACHE_ENTRIES) this.stemHashes.clear();
      this.stemHashes.set(word, h);
    }
    return h;
  }

  /** Builds the vocabulary from training inputs and returns their vectors. */
  fitTransform(inputs: readonly ClassifierInput[]): SparseVector[] {
    return this.fitExtracted(inputs.map((input) => this.extract(input)));
  }

  /**
   * An input's term counts, before any vocabulary: they depend on the configuration only, so one extraction
   * serves every featurizer of the same configuration (the calibration fit's and the refit's).
   */
  extract(input: ClassifierInput): ExtractedTerms {
    const counts = this.extractTerms(input);
    return { keys: Int32Array.from(counts.keys()), counts: Int32Array.from(counts.values()) };
  }

  /** {@link fitTransform} of inputs already {@link extract}ed: the same vocabulary and vectors, bit for bit. */
  fitExtracted(extracted: readonly ExtractedTerms[]): SparseVector[] {
    const dfMap = new Map<number, number>();
    for (const { keys } of extracted) {
      for (let k = 0; k < keys.length; k++) dfMap.set(keys[k], (dfMap.get(keys[k]) ?? 0) + 1);
    }
    let kept: [number, number][] = [];
    for (const entry of dfMap) {
      if (entry[1] >= this.config.minDf || blockOf(entry[0]) === Block.Categorical) kept.push(entry);
    }
    if (this.config.maxFeatures > 0 && kept.length > this.config.maxFeatures) {
      kept.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
      kept = kept.slice(0, this.config.maxFeatures);
    }
    kept.sort((a, b) => blockOf(a[0]) - blockOf(b[0]) || a[0] - b[0]);
    this.documents = extracted.length;
    this.setTerms(
      Int32Array.from(kept, ([term]) => term),
      Int32Array.from(kept, ([, df]) => df),
    );
    return extracted.map(({ keys, counts }) => this.vectorize(keys, counts));
  }

  /** The vector of an {@link extract}ed input over this vocabulary: {@link transform}'s, bit for bit. */
  transformExtracted({ keys, counts }: ExtractedTerms): SparseVector {
    return this.vectorize(keys, counts);
  }

  /**
   * The vector of one input: the same as vectorising {@link extractTerms}'s counts, bit for bit (same terms,
   * same order), but out-of-vocabulary terms are dropped as they come and the rest are counted in a reused
   * array indexed by vocabulary index, without a Map per input.
   */
  transform(input: ClassifierInput): SparseVector {
    const size = this.terms.length;
    if (this.counts.length < size) this.counts = new Int32Array(size);
    const found = this.collectTerms(input);
    const { counts, termIndex, keys } = this;
    let touched = this.touched;
    if (touched.length < found) this.touched = touched = new Int32Array(2 * found);
    let n = 0;
    for (let i = 0; i < found; i++) {
      const j = termIndex.get(keys[i]);
      if (j >= 0 && counts[j]++ === 0) touched[n++] = j;
    }
    const indices = touched.slice(0, n);
    const tf = new Float64Array(n);
    for (let k = 0; k < n; k++) {
      tf[k] = counts[indices[k]];
      counts[indices[k]] = 0;
    }
    return this.weigh(indices, tf);
  }

  /** Keeps only the terms whose index is flagged; returns the old→new index map (-1 for dropped). */
  prune(keep: (index: number) => boolean): Int32Array {
    const remap = new Int32Array(this.terms.length).fill(-1);
    const terms: number[] = [];
    const df: number[] = [];
    for (let j = 0; j < this.terms.length; j++) {
      if (!keep(j)) continue;
      remap[j] = terms.length;
      terms.push(this.terms[j]);
      df.push(this.df[j]);
    }
    this.setTerms(Int32Array.from(terms), Int32Array.from(df));
    return remap;
  }

  toJSON(): FeaturizerState {
    return {
      config: this.config,
      documents: this.documents,
      terms: Buffer.from(this.terms.buffer, this.terms.byteOffset, this.terms.byteLength).toString('base64'),
      df: Buffer.from(this.df.buffer, this.df.byteOffset, this.df.byteLength).toString('base64'),
    };
  }

  static fromJSON(state: FeaturizerState): Featurizer {
    const featurizer = new Featurizer({ ...DEFAULT_FEATURE_CONFIG, ...state.config });
    featurizer.documents = state.documents;
    featurizer.setTerms(decodeInt32(state.terms), decodeInt32(state.df));
    return featurizer;
  }

  private setTerms(terms: Int32Array, df: Int32Array): void {
    this.terms = terms;
    this.df = df;
    this.termIndex = new TermIndex(terms);
    this.idf = new Float32Array(terms.length);
    this.blocks = new Uint8Array(terms.length);
    for (let j = 0; j < terms.length; j++) {
      this.idf[j] = Math.log((1 + this.documents) / (1 + df[j])) + 1;
      this.blocks[j] = blockOf(terms[j]);
    }
  }

  private vectorize(keys: Iterable<number>, counts: Iterable<number>): SparseVector {
    const indices: number[] = [];
    const tf: number[] = [];
    const countIterator = counts[Symbol.iterator]();
    for (const key of keys) {
      const count = countIterator.next().value as number;
      const index = this.termIndex.get(key);
      if (index < 0) continue;
      indices.push(index);
      tf.push(count);
    }
    return this.weigh(Int32Array.from(indices), tf);
  }

  /** TF-IDF values of vocabulary terms with their counts, each block L2-normalised. */
  private weigh(indices: Int32Array, counts: ArrayLike<number>): SparseVector {
    const { config } = this;
    const values = new Float64Array(indices.length);
    let wordNorm = 0;
    let charNorm = 0;
    let crossNorm = 0;
    for (let k = 0; k < indices.length; k++) {
      const index = indices[k];
      const block = this.blocks[index];
      if (block === Block.Categorical) {
        values[k] = config.categoricalWeight;
        continue;
      }
      const count = counts[k];
      const tf = !config.sublinearTf
        ? count
        : count < SUBLINEAR_TF.length
          ? SUBLINEAR_TF[count]
          : 1 + Math.log(count);
      const value = tf * this.idf[index];
      values[k] = value;
      if (block === Block.Word) wordNorm += value * value;
      else if (block === Block.Char) charNorm += value * value;
      else crossNorm += value * value;
    }
    const wordScale = wordNorm > 0 ? config.wordWeight / Math.sqrt(wordNorm) : 0;
    const charScale = charNorm > 0 ? config.charWeight / Math.sqrt(charNorm) : 0;
    const crossScale = crossNorm > 0 ? config.textCrossWeight / Math.sqrt(crossNorm) : 0;
    const out = new Float32Array(indices.length);
    for (let k = 0; k < indices.length; k++) {
      const block = this.blocks[indices[k]];
      const scale =
        block === Block.Word
          ? wordScale
          : block === Block.Char
            ? charScale
            : block === Block.Categorical
              ? 1
              : crossScale;
      out[k] = values[k] * scale;
    }
    return { indices, values: out };
  }
}

function decodeInt32(base64: string): Int32Array {
  const bytes = Buffer.from(base64, 'base64');
  const out = new Int32Array(bytes.length / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
