import { type CsrMatrix } from './linear';

/**
 * The squared-hinge solver's two row loops (w · x_i and w += d · x_i) in WebAssembly: the same arithmetic in
 * the same order as the TypeScript loops (four partial sums for the dot product, each term's update once), so
 * the same weights to the bit, in about a quarter less time — the rows' reads in wasm skip the typed arrays'
 * bounds checks (docs/classification-experiments.md). The dot product also reads the next row's terms ahead,
 * one read per 64 bytes: the solver visits rows in a random order, and each row's terms waited on memory (a
 * fifth less time again). The bytes below are `sparse-kernel.wat` beside this file,
 * compiled by `npx -p wabt@1.0.39 wat2wasm sparse-kernel.wat -o k.wasm && base64 -w0 k.wasm` (1 153 bytes);
 * sparse-kernel.spec.ts checks them against the TypeScript loops.
 */
const KERNEL_WASM =
  'AGFzbQEAAAABMAVgB39/f39/f38BfGAGf39/f398AGALf39/f39/f39/f38AYAABfGAFf3x8f3wBfwIPAQNlbnYDbWVtAgEBgIAEAwcGAAECAwMEBlUOfwFBAAt/AUEAC38BQQALfwFBAAt/AUEAC38BQQALfwFBAAt/AUEAC38BQQALfwFBAAt/AUEAC38BQQALfAFEAAAAAAAAAAALfAFEAAAAAAAAAAALBy8GA2RvdAAABGF4cHkAAQZsYXlvdXQAAgVwZ21heAADBXBnbWluAAQFZXBvY2gABQqiBwaiAgMBfwR8A38gBSEHAkADQCAHIAZODQEgDiACIAdBAnRqKAIAIAMgB0ECdGooAgBzcyEOIAdBEGohBwwACwsgACEHAkADQCAHQQNqIAFODQEgAiAHQQJ0aiEMIAMgB0ECdGohDSAIIAQgDCgCAEEDdGorAwAgDSoCALuioCEIIAkgBCAMKAIEQQN0aisDACANKgIEu6KgIQkgCiAEIAwoAghBA3RqKwMAIA0qAgi7oqAhCiALIAQgDCgCDEEDdGorAwAgDSoCDLuioCELIAdBBGohBwwACwsCQANAIAcgAU4NASAIIAQgAiAHQQJ0aigCAEEDdGorAwAgAyAHQQJ0aioCALuioCEIIAdBAWohBwwACwsgDiQAIAggCaAgCiALoKALSwECfyAAIQYCQANAIAYgAU4NASAEIAIgBkECdGooAgBBA3RqIQcgByAHKwMAIAUgAyAGQQJ0aioCALuioDkDACAGQQFqIQYMAAsLCy4AIAAkASABJAIgAiQDIAMkBCAEJAUgBSQGIAYkByAHJAggCCQJIAkkCiAKJAsLBAAjDAsEACMNC/YDAgZ/CXxEAAAAAAAA8P8hEkQAAAAAAADwfyETAkADQCAFIABODQEjBiAFQQJ0aigCACEGIAZBA3QhByMIIAdqKwMAIQsjBSAGQQJ0aigCACEJIwUgBkECdGooAgQhCiAFQQFqIABIBH8jBiAFQQJ0aigCBAUgBgshCCMHIAdqKwMAIQwgCyMEKwMAIASiIAkgCiMBIwIjAyMFIAhBAnRqKAIAIwUgCEECdGooAgQQAKCiRAAAAAAAAPA/oSAMIwkgB2orAwCioCENIwogB2orAwAhDkQAAAAAAAAAACEPAkACQCAMRAAAAAAAAAAAYQRAIAMgDSABZHENASANRAAAAAAAAAAAYwRAIA0hDwsFIAwgDmEEQCADIA0gAmNxDQIgDUQAAAAAAAAAAGQEQCANIQ8LBSANIQ8LCwwBCyAAQQFrIQAjBiAFQQJ0aiMGIABBAnRqKAIANgIAIwYgAEECdGogBjYCAAwBCyAPIBJkBEAgDyESCyAPIBNjBEAgDyETCyAPmUQR6i2BmZdxPWQEQCAMIA0jCyAHaisDAKOhRAAAAAAAAAAApSAOpCEQIwcgB2ogEDkDACAQIAyhIAuiIREgCSAKIwEjAiMDIBEQASMEIwQrAwAgESAEoqA5AwALIAVBAWohBQwACwsgEiQMIBMkDSAACw==';

interface KernelExports {
  dot(
    from: number,
    to: number,
    indices: number,
    values: number,
    w: number,
    next: number,
    nextTo: number,
  ): number;
  axpy(from: number, to: number, indices: number, values: number, w: number, d: number): void;
  layout(
    indices: number,
    values: number,
    w: number,
    wBias: number,
    indptr: number,
    index: number,
    alpha: number,
    sign: number,
    diag: number,
    upper: number,
    qd: number,
  ): void;
  epoch(active: number, pgMaxOld: number, pgMinOld: number, shrinking: number, bias: number): number;
  pgmax(): number;
  pgmin(): number;
}

/** A matrix's rows copied into wasm memory, with a weight vector beside them. */
export interface SparseKernel {
  /** cols + 1 weights (the last one the bias feature's), in the kernel's memory: read before the next fit. */
  readonly w: Float64Array;
  /**
   * Σ w[j] · x_pj over terms p in [from, to) (the bias feature not included), four partial sums as the solver's;
   * the terms in [next, nextTo) (the row visited next) are read ahead into the cache, the sum the same.
   */
  dot(from: number, to: number, next?: number, nextTo?: number): number;
  /** w[j] += d · x_pj over terms p in [from, to) (the bias feature not included). */
  axpy(from: number, to: number, d: number): void;
  /**
   * The dual solver's per-row arrays (length X.rows) in the kernel's memory, for {@link SparseKernel.epoch}:
   * the row order, the dual variables, each row's label sign, diagonal term, upper bound and Q_ii.
   */
  readonly index: Int32Array;
  readonly alpha: Float64Array;
  readonly sign: Float64Array;
  readonly diag: Float64Array;
  readonly upper: Float64Array;
  readonly QD: Float64Array;
  /**
   * One pass of the squared-hinge / hinge dual coordinate descent over index[0, active) with the arrays above,
   * `w` and the bias feature's weight w[cols]: solveSvmDual's loop (linear.ts), the same operations in the
   * same order, without a call from JavaScript per row. Returns the active set's new size and the pass's
   * largest and smallest projected gradients.
   */
  epoch(
    active: number,
    pgMaxOld: number,
    pgMinOld: number,
    shrinking: boolean,
    bias: number,
  ): { active: number; pgMax: number; pgMin: number };
}

/** The part of the WebAssembly API used here (the project's Node typings do not declare it). */
interface WasmApi {
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: object) => { readonly exports: unknown };
  readonly Memory: new (limits: { initial: number; maximum: number }) => { readonly buffer: ArrayBuffer };
}
const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;

let compiled: object | undefined | null;
// One kernel per matrix and thread: the one-vs-rest classes of a fit share it.
const kernels = new WeakMap<Int32Array, SparseKernel>();

/** The kernel over X's rows, or undefined where WebAssembly is not available (the TypeScript loops then). */
export function sparseKernel(X: CsrMatrix): SparseKernel | undefined {
  const cached = kernels.get(X.indices);
  if (cached) return cached;
  if (!wasm) return undefined;
  if (compiled === undefined) {
    try {
      compiled = new wasm.Module(Buffer.from(KERNEL_WASM, 'base64'));
    } catch {
      compiled = null;
    }
  }
  if (!compiled) return undefined;
  const nnz = X.indices.length;
  const rows = X.rows;
  // The weights first (8-byte aligned), then the terms' columns and values, the rows' offsets and order, and
  // the solver's per-row arrays (8-byte aligned).
  const wAt = 0;
  const indicesAt = 8 * (X.cols + 1);
  const valuesAt = indicesAt + 4 * nnz;
  const indptrAt = valuesAt + 4 * nnz;
  const indexAt = indptrAt + 4 * (rows + 1);
  const alphaAt = 8 * Math.ceil((indexAt + 4 * rows) / 8);
  const signAt = alphaAt + 8 * rows;
  const diagAt = signAt + 8 * rows;
  const upperAt = diagAt + 8 * rows;
  const qdAt = upperAt + 8 * rows;
  const bytes = qdAt + 8 * rows;
  const memory = new wasm.Memory({ initial: Math.ceil(bytes / 65536) + 1, maximum: 65536 });
  const exports = new wasm.Instance(compiled, { env: { mem: memory } }).exports as unknown as KernelExports;
  new Int32Array(memory.buffer, indicesAt, nnz).set(X.indices);
  new Float32Array(memory.buffer, valuesAt, nnz).set(X.values);
  new Int32Array(memory.buffer, indptrAt, rows + 1).set(X.indptr);
  const { dot, axpy, epoch, pgmax, pgmin } = exports;
  exports.layout(
    indicesAt,
    valuesAt,
    wAt,
    wAt + 8 * X.cols,
    indptrAt,
    indexAt,
    alphaAt,
    signAt,
    diagAt,
    upperAt,
    qdAt,
  );
  const perRow = (at: number) => new Float64Array(memory.buffer, at, rows);
  const kernel: SparseKernel = {
    w: new Float64Array(memory.buffer, wAt, X.cols + 1),
    dot: (from, to, next = 0, nextTo = 0) => dot(from, to, indicesAt, valuesAt, wAt, next, nextTo),
    axpy: (from, to, d) => axpy(from, to, indicesAt, valuesAt, wAt, d),
    index: new Int32Array(memory.buffer, indexAt, rows),
    alpha: perRow(alphaAt),
    sign: perRow(signAt),
    diag: perRow(diagAt),
    upper: perRow(upperAt),
    QD: perRow(qdAt),
    epoch: (active, pgMaxOld, pgMinOld, shrinking, bias) => {
      const left = epoch(active, pgMaxOld, pgMinOld, shrinking ? 1 : 0, bias);
      return { active: left, pgMax: pgmax(), pgMin: pgmin() };
    },
  };
  kernels.set(X.indices, kernel);
  return kernel;
}
