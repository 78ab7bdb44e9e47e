import { type CsrMatrix } from './linear';

/**
 * The squared-hinge solver's two row loops (w · x_i and w += d · x_i) in WebAssembly: the same arithmetic in
 * the same order as the TypeScript loops (four partial sums for the dot product, each term's update once), so
 * the same weights to the bit, in about a quarter less time — the rows' reads in wasm skip the typed arrays'
 * bounds checks (docs/classification-experiments.md). The dot product also reads the next row's terms ahead,
 * one read per 64 bytes: the solver visits rows in a random order, and each row's terms waited on memory (a
 * fifth less time again). The bytes below are `sparse-kernel.wat` beside this file,
 * compiled by `npx -p wabt@1.0.39 wat2wasm sparse-kernel.wat -o k.wasm && base64 -w0 k.wasm` (449 bytes);
 * sparse-kernel.spec.ts checks them against the TypeScript loops.
 */
const KERNEL_WASM =
  'AGFzbQEAAAABFQJgB39/f39/f38BfGAGf39/f398AAIPAQNlbnYDbWVtAgEBgIAEAwMCAAEGBgF/AUEACwcOAgNkb3QAAARheHB5AAEK8QICogIDAX8EfAN/IAUhBwJAA0AgByAGTg0BIA4gAiAHQQJ0aigCACADIAdBAnRqKAIAc3MhDiAHQRBqIQcMAAsLIAAhBwJAA0AgB0EDaiABTg0BIAIgB0ECdGohDCADIAdBAnRqIQ0gCCAEIAwoAgBBA3RqKwMAIA0qAgC7oqAhCCAJIAQgDCgCBEEDdGorAwAgDSoCBLuioCEJIAogBCAMKAIIQQN0aisDACANKgIIu6KgIQogCyAEIAwoAgxBA3RqKwMAIA0qAgy7oqAhCyAHQQRqIQcMAAsLAkADQCAHIAFODQEgCCAEIAIgB0ECdGooAgBBA3RqKwMAIAMgB0ECdGoqAgC7oqAhCCAHQQFqIQcMAAsLIA4kACAIIAmgIAogC6CgC0sBAn8gACEGAkADQCAGIAFODQEgBCACIAZBAnRqKAIAQQN0aiEHIAcgBysDACAFIAMgBkECdGoqAgC7oqA5AwAgBkEBaiEGDAALCws=';

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
  // The weights first (8-byte aligned), then the terms' columns and values.
  const wAt = 0;
  const indicesAt = 8 * (X.cols + 1);
  const valuesAt = indicesAt + 4 * nnz;
  const bytes = valuesAt + 4 * nnz;
  const memory = new wasm.Memory({ initial: Math.ceil(bytes / 65536) + 1, maximum: 65536 });
  const exports = new wasm.Instance(compiled, { env: { mem: memory } }).exports as unknown as KernelExports;
  new Int32Array(memory.buffer, indicesAt, nnz).set(X.indices);
  new Float32Array(memory.buffer, valuesAt, nnz).set(X.values);
  const { dot, axpy } = exports;
  const kernel: SparseKernel = {
    w: new Float64Array(memory.buffer, wAt, X.cols + 1),
    dot: (from, to, next = 0, nextTo = 0) => dot(from, to, indicesAt, valuesAt, wAt, next, nextTo),
    axpy: (from, to, d) => axpy(from, to, indicesAt, valuesAt, wAt, d),
  };
  kernels.set(X.indices, kernel);
  return kernel;
}
