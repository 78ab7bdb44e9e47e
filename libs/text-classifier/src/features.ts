import { FNV_OFFSET, FNV_PRIME, fnv1a, mix } from './hash';
import { CachedStemmer } from './stemmer';
import { foldCase, tokenize } from './text';

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
};

/** One item to classify: free text plus optional structured inputs keyed by column name. */
export interface ClassifierInput {
  readonly text: string;
  readonly features?: Readonly<Record<string, string | null | undefined>>;
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

/** Serialised form of a fitted featurizer. */
export interface FeaturizerState {
  readonly config: FeatureConfig;
  readonly documents: number;
  /** Term keys (hash << 2 | block) in index order, base64 of an Int32Array. */
  readonly terms: string;
  /** Document frequency of each term in training data (for IDF), base64 of an Int32Array. */
  readonly df: string;
}

/** Turns inputs into TF-IDF vectors (each block L2-normalised) over a pruned, hashed vocabulary. */
export class Featurizer {
  private readonly stemmer = new CachedStemmer();
  private vocabulary = new Map<number, number>();
  private idf = new Float32Array(0);
  private blocks = new Uint8Array(0);
  private terms: Int32Array = new Int32Array(0);
  private df: Int32Array = new Int32Array(0);
  private documents = 0;

  constructor(readonly config: FeatureConfig) {}

  get size(): number {
    return this.terms.length;
  }

  /** Counts the term keys of one input. */
  extractTerms(input: ClassifierInput): Map<number, number> {
    const { config } = this;
    const counts = new Map<number, number>();
    const add = (key: number): void => {
      counts.set(key, (counts.get(key) ?? 0) + 1);
    };
    const words = tokenize(input.text ?? '', config.maxChars);
    const stemHashes: number[] = [];
    if (config.wordNgrams > 0) {
      let previous: number | undefined;
      for (const word of words) {
        if (word.length < 2) continue;
        const h = fnv1a(this.stemmer.stem(word), SEED_UNIGRAM);
        stemHashes.push(h);
        add(termKey(mix(h), Block.Word));
        if (config.wordNgrams > 1 && previous !== undefined) {
          add(termKey(mix(Math.imul(previous ^ SEED_BIGRAM, 0x9e3779b1) ^ h), Block.Word));
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
            if (n >= charMin) add(termKey(mix(h), Block.Char));
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
        add(termKey(mix(fnv1a(`${column}=${values[k]}`, SEED_CATEGORICAL)), Block.Categorical));
        if (config.textCrosses) {
          const base = Math.imul(fnv1a(`${column}=${values[k]}`, SEED_TEXT_CROSS), 0x9e3779b1);
          for (const h of stemHashes) add(termKey(mix(base ^ h), Block.TextCross));
        }
      });
      if (config.crosses) {
        for (let a = 0; a < values.length; a++) {
          for (let b = a + 1; b < values.length; b++) {
            const text = `${columns[a]}=${values[a]}|${columns[b]}=${values[b]}`;
            add(termKey(mix(fnv1a(text, SEED_CATEGORICAL)), Block.Categorical));
          }
        }
      }
    }
    return counts;
  }

  /** Builds the vocabulary from training inputs and returns their vectors. */
  fitTransform(inputs: readonly ClassifierInput[]): SparseVector[] {
    const extracted = inputs.map((input) => {
      const counts = this.extractTerms(input);
      return { keys: Int32Array.from(counts.keys()), counts: Float64Array.from(counts.values()) };
    });
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
    this.documents = inputs.length;
    this.setTerms(
      Int32Array.from(kept, ([term]) => term),
      Int32Array.from(kept, ([, df]) => df),
    );
    return extracted.map(({ keys, counts }) => this.vectorize(keys, counts));
  }

  transform(input: ClassifierInput): SparseVector {
    const counts = this.extractTerms(input);
    return this.vectorize(counts.keys(), counts.values());
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
    this.vocabulary = new Map();
    this.idf = new Float32Array(terms.length);
    this.blocks = new Uint8Array(terms.length);
    for (let j = 0; j < terms.length; j++) {
      this.vocabulary.set(terms[j], j);
      this.idf[j] = Math.log((1 + this.documents) / (1 + df[j])) + 1;
      this.blocks[j] = blockOf(terms[j]);
    }
  }

  private vectorize(keys: Iterable<number>, counts: Iterable<number>): SparseVector {
    const { config } = this;
    const indices: number[] = [];
    const values: number[] = [];
    const norms = [0, 0, 0, 0];
    const countIterator = counts[Symbol.iterator]();
    for (const key of keys) {
      const count = countIterator.next().value as number;
      const index = this.vocabulary.get(key);
      if (index === undefined) continue;
      const block = this.blocks[index];
      let value: number;
      if (block === Block.Categorical) {
        value = config.categoricalWeight;
      } else {
        const tf = config.sublinearTf ? 1 + Math.log(count) : count;
        value = tf * this.idf[index];
        norms[block] += value * value;
      }
      indices.push(index);
      values.push(value);
    }
    const scale = [
      norms[Block.Word] > 0 ? config.wordWeight / Math.sqrt(norms[Block.Word]) : 0,
      norms[Block.Char] > 0 ? config.charWeight / Math.sqrt(norms[Block.Char]) : 0,
      1,
      norms[Block.TextCross] > 0 ? config.textCrossWeight / Math.sqrt(norms[Block.TextCross]) : 0,
    ];
    const out = new Float32Array(values.length);
    for (let k = 0; k < values.length; k++) out[k] = values[k] * scale[this.blocks[indices[k]]];
    return { indices: Int32Array.from(indices), values: out };
  }
}

function decodeInt32(base64: string): Int32Array {
  const bytes = Buffer.from(base64, 'base64');
  const out = new Int32Array(bytes.length / 4);
  new Uint8Array(out.buffer).set(bytes);
  return out;
}
