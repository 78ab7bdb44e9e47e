import { softmax, topIndices } from './calibration';
import { foldCase } from './text';

/**
 * The route to a label through an intermediate one (the pivot): the executor of an appeal follows from its
 * typical need and where it is, far more than from its words. `P(label | pivot, structured inputs)` is
 * counted in the training rows and backs off to fewer inputs when a combination is rare or unseen:
 * (pivot, all inputs) → (pivot, all but the first) → … → (pivot) → the labels' prior, each level smoothed
 * towards the next coarser one (a Dirichlet prior of weight {@link PIVOT_SMOOTHING}). The last structured
 * column is kept longest (the district, for the executor).
 */

/** Weight of the coarser level's distribution when smoothing a finer level's counts. */
export const PIVOT_SMOOTHING = 1;
/** The most likely pivots whose routes are summed. */
export const PIVOT_TOP = 5;

const SEPARATOR = '\u0001';

/** Serialised table: per level, `[key, [label index, count, label index, count, …]]`. */
export interface PivotTableFile {
  readonly columns: readonly string[];
  readonly prior: readonly number[];
  readonly levels: readonly (readonly [string, readonly number[]][])[];
}

export interface PivotRow {
  readonly label: string;
  readonly pivot: string;
  readonly features: Readonly<Record<string, string | null | undefined>>;
}

function values(
  columns: readonly string[],
  features: Readonly<Record<string, string | null | undefined>> | undefined,
): string[] {
  return columns.map((column) => {
    const raw = features?.[column];
    return raw === null || raw === undefined ? '' : foldCase(String(raw).trim());
  });
}

/** Key of level `level`: the pivot and the structured values from the `level`-th on. */
function keyOf(pivot: string, vals: readonly string[], level: number): string {
  return [pivot, ...vals.slice(level)].join(SEPARATOR);
}

export class PivotTable {
  private constructor(
    readonly columns: readonly string[],
    /** Number of labels. */
    readonly size: number,
    private readonly prior: Float64Array,
    /** levels[l]: key → counts per label; l = 0 uses every column, l = columns.length the pivot alone. */
    private readonly levels: readonly Map<string, Float64Array>[],
  ) {}

  /** Counts the rows; `labels` fixes the label order (rows with other labels are skipped). */
  static count(rows: readonly PivotRow[], labels: readonly string[], columns: readonly string[]): PivotTable {
    const index = new Map(labels.map((label, c) => [label, c]));
    const prior = new Float64Array(labels.length);
    const levels = Array.from({ length: columns.length + 1 }, () => new Map<string, Float64Array>());
    let total = 0;
    for (const row of rows) {
      const c = index.get(row.label);
      if (c === undefined) continue;
      prior[c]++;
      total++;
      const vals = values(columns, row.features);
      levels.forEach((level, l) => {
        const key = keyOf(row.pivot, vals, l);
        let counts = level.get(key);
        if (!counts) level.set(key, (counts = new Float64Array(labels.length)));
        counts[c]++;
      });
    }
    for (let c = 0; c < prior.length; c++) prior[c] = total > 0 ? prior[c] / total : 1 / prior.length;
    return new PivotTable(columns, labels.length, prior, levels);
  }

  /** `P(label | pivot, structured inputs)`, backed off as described above. */
  conditional(pivot: string, features: PivotRow['features'] | undefined): Float64Array {
    return this.conditionalOf(pivot, this.keySuffixes(features));
  }

  /**
   * Per level, what follows the pivot in its key (`keyOf` without the pivot): one input's structured values
   * are folded and joined once for all the pivots it is routed through.
   */
  keySuffixes(features: PivotRow['features'] | undefined): string[] {
    const vals = values(this.columns, features);
    return this.levels.map((_, l) =>
      vals
        .slice(l)
        .map((v) => SEPARATOR + v)
        .join(''),
    );
  }

  /** {@link conditional} from {@link keySuffixes}. */
  conditionalOf(pivot: string, suffixes: readonly string[]): Float64Array {
    const p = Float64Array.from(this.prior);
    for (let l = this.levels.length - 1; l >= 0; l--) {
      const counts = this.levels[l].get(pivot + suffixes[l]);
      if (!counts) continue;
      let n = 0;
      for (let c = 0; c < counts.length; c++) n += counts[c];
      // In place: each label's smoothed value reads only its own coarser value.
      for (let c = 0; c < p.length; c++) p[c] = (counts[c] + PIVOT_SMOOTHING * p[c]) / (n + PIVOT_SMOOTHING);
    }
    return p;
  }

  toJSON(): PivotTableFile {
    return {
      columns: this.columns,
      prior: [...this.prior],
      levels: this.levels.map((level) =>
        [...level].map(([key, counts]): [string, number[]] => {
          const sparse: number[] = [];
          counts.forEach((n, c) => {
            if (n > 0) sparse.push(c, n);
          });
          return [key, sparse];
        }),
      ),
    };
  }

  static fromJSON(file: PivotTableFile): PivotTable {
    const size = file.prior.length;
    const levels = file.levels.map(
      (level) =>
        new Map(
          level.map(([key, sparse]) => {
            const counts = new Float64Array(size);
            for (let k = 0; k < sparse.length; k += 2) counts[sparse[k]] = sparse[k + 1];
            return [key, counts];
          }),
        ),
    );
    return new PivotTable(file.columns, size, Float64Array.from(file.prior), levels);
  }
}

/** What routing through the pivot needs at scoring time. */
export interface PivotRoute {
  readonly labels: readonly string[];
  readonly table: PivotTable;
  /** Softmax temperature of the pivot model's margins. */
  readonly temperature: number;
  /** Softmax temperature of the label model's own margins, before mixing. */
  readonly ownTemperature: number;
  readonly mix: number;
}

/**
 * Mixes the label model with the route through the pivot, in log space:
 * `(1 − mix) · log P_own(label) + mix · log Σ_top-pivots P(pivot) · P(label | pivot, inputs)`.
 */
export function routeThroughPivot(
  own: Float64Array,
  pivotMargins: Float64Array,
  route: PivotRoute,
  features: PivotRow['features'] | undefined,
): Float64Array {
  if (route.mix === 0) return own;
  const pOwn = softmax(own, route.ownTemperature, new Float64Array(own.length));
  const pPivot = softmax(pivotMargins, route.temperature, new Float64Array(pivotMargins.length));
  const order = topIndices(pPivot, PIVOT_TOP);
  let kept = 0;
  for (const k of order) kept += pPivot[k];
  const routed = new Float64Array(own.length);
  const suffixes = route.table.keySuffixes(features);
  for (const k of order) {
    const conditional = route.table.conditionalOf(route.labels[k], suffixes);
    const w = pPivot[k] / kept;
    for (let c = 0; c < routed.length; c++) routed[c] += w * conditional[c];
  }
  const out = new Float64Array(own.length);
  for (let c = 0; c < out.length; c++) {
    out[c] = (1 - route.mix) * Math.log(pOwn[c] + 1e-9) + route.mix * Math.log(routed[c] + 1e-9);
  }
  return out;
}
