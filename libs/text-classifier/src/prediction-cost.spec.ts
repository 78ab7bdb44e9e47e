import { applyConfidenceMap, softmax, topIndices } from './calibration';
import {
  mixHierarchy,
  type ModelFile,
  type Prediction,
  TextClassifier,
  type WeightEncoding,
} from './classifier';
import { type LabelledExample } from './dataset';
import { type ClassifierInput, Featurizer } from './features';
import { seededRandom } from './linear';
import { round } from './metrics';
import { PIVOT_SMOOTHING, PIVOT_TOP, type PivotTableFile } from './pivot';

/**
 * Prediction's fast path (a term index and reused counts instead of a Map per input, dense class-major
 * scoring, top-k selection, the pivot route's keys built once) against the straightforward path written out
 * here: the featurizer's term counts vectorised through a Map of the stored vocabulary, the stored sparse
 * rows walked term by term, full stable sorts. Scores must agree bit for bit, predictions exactly.
 */

const TOPICS: Record<string, { reasons: Record<string, string[]> }> = {
  roads: { reasons: { potholes: ['яма', 'асфальт', 'выбоина'], snow: ['снег', 'сугроб', 'наледь'] } },
  housing: {
    reasons: { roof: ['крыша', 'протечка', 'кровля'], heating: ['батарея', 'отопление', 'холодно'] },
  },
  parks: { reasons: { trees: ['дерево', 'ветки', 'спил'], litter: ['мусор', 'урна', 'бутылки'] } },
};
const FILLER =
  'просим срочно опять который день помогите жители сегодня уже неделю никто не реагирует двор дом улица'.split(
    ' ',
  );
const OBJECTS = ['Двор', 'дом', 'Улица', 'ПАРК'];
const DISTRICTS = ['north', 'south', 'east'];

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)];
}

function makeRows(n: number, seed: number): LabelledExample[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const topic = pick(random, Object.keys(TOPICS));
    const reason = pick(random, Object.keys(TOPICS[topic].reasons));
    const words = [
      ...TOPICS[topic].reasons[reason].filter(() => random() < 0.7),
      ...FILLER.filter(() => random() < 0.25),
      // A word of another topic now and then, so that margins are not all clear-cut.
      ...(random() < 0.2
        ? [pick(random, Object.values(TOPICS[pick(random, Object.keys(TOPICS))].reasons)[0])]
        : []),
    ].sort(() => random() - 0.5);
    const district = pick(random, DISTRICTS);
    return {
      text: words.join(' '),
      features: { object: pick(random, OBJECTS), district },
      label: topic,
      fineLabel: reason,
      pivotLabel: reason,
    };
  });
}

/** Inputs the fast path must treat as the straightforward one does, edge cases included. */
function probeInputs(): ClassifierInput[] {
  const random = seededRandom(7);
  const all = [...FILLER, ...Object.values(TOPICS).flatMap((t) => Object.values(t.reasons).flat())];
  const inputs: ClassifierInput[] = makeRows(150, 99).map((r) => ({ text: r.text, features: r.features }));
  for (let i = 0; i < 50; i++) {
    const words = Array.from({ length: 1 + Math.floor(random() * 40) }, () => pick(random, all));
    inputs.push({
      text: words.join(random() < 0.5 ? ' ' : ', '),
      features: { object: pick(random, OBJECTS) },
    });
  }
  inputs.push(
    { text: '' },
    { text: 'XXXX ххх 123 !!! a б' },
    { text: 'Ёлка ЁЖИК ёж, Снег СНЕГ снег', features: { object: '  ДВОР ', district: 'North' } },
    // Counts beyond the small-count table of 1 + ln(tf).
    { text: 'снег '.repeat(200) + 'яма '.repeat(64), features: { object: 'двор', district: 'south' } },
    // Cut at maxChars.
    { text: 'крыша протечка '.repeat(600), features: { object: null, district: undefined } },
    { text: 'совершенно незнакомые слова quick brown fox', features: { object: 'луна', district: 'west' } },
  );
  return inputs;
}

/** A stored base64 array in a fresh (aligned) buffer. */
function decode<T>(base64: string, make: (buffer: ArrayBuffer) => T): T {
  return make(Uint8Array.from(Buffer.from(base64, 'base64')).buffer);
}

/** The straightforward vector: term counts in a Map, looked up in a Map of the stored vocabulary. */
function referenceVector(
  file: ModelFile,
  input: ClassifierInput,
): { indices: number[]; values: Float32Array } {
  const { config, documents } = file.featurizer;
  const terms = decode(file.featurizer.terms, (b) => new Int32Array(b));
  const df = decode(file.featurizer.df, (b) => new Int32Array(b));
  const vocabulary = new Map(Array.from(terms, (term, j) => [term, j]));
  const idf = Float32Array.from(df, (d) => Math.log((1 + documents) / (1 + d)) + 1);
  const counts = Featurizer.fromJSON(file.featurizer).extractTerms(input);
  const indices: number[] = [];
  const raw: number[] = [];
  const norms = [0, 0, 0, 0];
  for (const [key, count] of counts) {
    const j = vocabulary.get(key);
    if (j === undefined) continue;
    const block = key & 3;
    let value = config.categoricalWeight;
    if (block !== 2) {
      value = (config.sublinearTf ? 1 + Math.log(count) : count) * idf[j];
      norms[block] += value * value;
    }
    indices.push(j);
    raw.push(value);
  }
  const scale = [
    norms[0] > 0 ? config.wordWeight / Math.sqrt(norms[0]) : 0,
    norms[1] > 0 ? config.charWeight / Math.sqrt(norms[1]) : 0,
    1,
    norms[3] > 0 ? config.textCrossWeight / Math.sqrt(norms[3]) : 0,
  ];
  return { indices, values: Float32Array.from(raw, (v, k) => v * scale[terms[indices[k]] & 3]) };
}

/** The stored sparse rows walked term by term. */
function referenceMargins(
  weights: ModelFile['weights'],
  classes: number,
  vector: { indices: number[]; values: Float32Array },
): Float64Array {
  const rowPtr = decode(weights.rowPtr, (b) => new Int32Array(b));
  const classIds = decode(weights.classIds, (b) => new Uint16Array(b));
  const values = decode(weights.values, (b) =>
    weights.encoding === 'int8'
      ? new Int8Array(b)
      : weights.encoding === 'int16'
        ? new Int16Array(b)
        : new Float32Array(b),
  );
  const out = new Float64Array(classes);
  vector.indices.forEach((j, k) => {
    for (let p = rowPtr[j]; p < rowPtr[j + 1]; p++) out[classIds[p]] += values[p] * vector.values[k];
  });
  return out.map((s, c) => s * weights.scales[c] + weights.bias[c]);
}

/** `P(label | pivot, inputs)` read from the stored counts, backing off level by level. */
function referenceConditional(table: PivotTableFile, pivot: string, input: ClassifierInput): Float64Array {
  const vals = table.columns.map((column) => {
    const raw = input.features?.[column];
    return raw === null || raw === undefined ? '' : String(raw).trim().toLowerCase().replace(/ё/g, 'е');
  });
  let p = Float64Array.from(table.prior);
  for (let l = table.levels.length - 1; l >= 0; l--) {
    const key = [pivot, ...vals.slice(l)].join('\u0001');
    const sparse = table.levels[l].find(([k]) => k === key)?.[1];
    if (!sparse) continue;
    const counts = new Float64Array(p.length);
    for (let k = 0; k < sparse.length; k += 2) counts[sparse[k]] = sparse[k + 1];
    const n = counts.reduce((a, b) => a + b, 0);
    p = p.map((q, c) => (counts[c] + PIVOT_SMOOTHING * q) / (n + PIVOT_SMOOTHING));
  }
  return p;
}

function stableOrder(values: ArrayLike<number>): number[] {
  return Array.from({ length: values.length }, (_, i) => i).sort((a, b) => values[b] - values[a]);
}

function referenceScores(file: ModelFile, input: ClassifierInput): Float64Array {
  const vector = referenceVector(file, input);
  let own = referenceMargins(file.weights, file.labels.length, vector);
  if (file.fine) {
    const fine = referenceMargins(file.fine.weights, file.fine.labels.length, vector);
    own = mixHierarchy(own, fine, file.fine.parents, file.fine.mix);
  }
  const pivot = file.pivot;
  if (!pivot || pivot.mix === 0) return own;
  const pOwn = softmax(own, pivot.ownTemperature, new Float64Array(own.length));
  const margins = referenceMargins(pivot.weights, pivot.labels.length, vector);
  const pPivot = softmax(margins, pivot.temperature, new Float64Array(margins.length));
  const order = stableOrder(pPivot).slice(0, PIVOT_TOP);
  const kept = order.reduce((sum, k) => sum + pPivot[k], 0);
  const routed = new Float64Array(own.length);
  for (const k of order) {
    const conditional = referenceConditional(pivot.table, pivot.labels[k], input);
    for (let c = 0; c < routed.length; c++) routed[c] += (pPivot[k] / kept) * conditional[c];
  }
  return own.map(
    (o, c) => (1 - pivot.mix) * Math.log(pOwn[c] + 1e-9) + pivot.mix * Math.log(routed[c] + 1e-9),
  );
}

function referencePrediction(file: ModelFile, scores: Float64Array, topK: number): Prediction {
  const probabilities = softmax(scores, file.temperature, new Float64Array(scores.length));
  const order = stableOrder(probabilities);
  const raw = probabilities[order[0]];
  const calibrated = applyConfidenceMap(file.confidenceMap, raw);
  const rest = raw < 1 ? (1 - calibrated) / (1 - raw) : 0;
  const top = order.slice(0, topK).map((c, k) => ({
    label: file.labels[c],
    confidence: round(k === 0 ? calibrated : Math.min(calibrated, probabilities[c] * rest), 6),
  }));
  return { label: top[0].label, confidence: top[0].confidence, top };
}

function bits(values: Float64Array): string {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('hex');
}

describe.each<WeightEncoding>(['int8', 'int16', 'float32'])(
  'prediction fast path (%s weights)',
  (encoding) => {
    let model: TextClassifier;
    let file: ModelFile;
    const inputs = probeInputs();

    beforeAll(async () => {
      model = await TextClassifier.train(makeRows(500, 3), {
        features: { featureColumns: ['object', 'district'] },
        holdout: 0.3,
        threads: 1,
        weightEncoding: encoding,
        // One weight each, so that both the fine-label vote and the pivot route are in the model.
        hierarchyMix: [0.5],
        pivotMix: [0.5],
      });
      file = model.toModelFile();
    }, 60_000);

    it('has the fine-label and the pivot model', () => {
      expect(model.hierarchyMix).toBe(0.5);
      expect(model.pivotMix).toBe(0.5);
    });

    it('vectorises as the Map path does, bit for bit', () => {
      const featurizer = Featurizer.fromJSON(file.featurizer);
      for (const input of inputs) {
        const fast = featurizer.transform(input);
        const reference = referenceVector(file, input);
        expect([...fast.indices]).toEqual(reference.indices);
        expect(Buffer.from(fast.values.buffer).equals(Buffer.from(reference.values.buffer))).toBe(true);
      }
    });

    it('scores bit for bit as the sparse rows, the vote and the route do', () => {
      for (const input of inputs) expect(bits(model.scores(input))).toBe(bits(referenceScores(file, input)));
    });

    it('predicts what the scores and a stable sort give, with or without the scores', () => {
      for (const input of inputs) {
        const reference = referencePrediction(file, referenceScores(file, input), 3);
        expect(model.predict(input)).toEqual(reference);
        const both = model.predictWithScores(input, 3);
        expect(both.prediction).toEqual(reference);
        expect(bits(both.scores)).toBe(bits(model.scores(input)));
      }
    });

    it('gives the same after a round trip through the model file', () => {
      const loaded = TextClassifier.fromModelFile(JSON.parse(JSON.stringify(file)) as ModelFile);
      for (const input of inputs) expect(bits(loaded.scores(input))).toBe(bits(model.scores(input)));
    });
  },
);

describe('topIndices', () => {
  it('is the head of a stable descending sort, ties in index order', () => {
    const random = seededRandom(11);
    for (let trial = 0; trial < 500; trial++) {
      const n = Math.floor(random() * 30);
      // Few distinct values, so that ties are common.
      const values = Array.from({ length: n }, () => Math.floor(random() * 6) / 5);
      const k = Math.floor(random() * 8);
      expect(topIndices(values, k)).toEqual(stableOrder(values).slice(0, k));
    }
  });
});
