import { type CsrMatrix } from './linear';

/**
 * The squared-hinge solver's two row loops (w · x_i and w += d · x_i) in WebAssembly: the same arithmetic in
 * the same order as the TypeScript loops (four partial sums for the dot product, each term's update once), so
 * the same weights to the bit, in about a quarter less time — the rows' reads in wasm skip the typed arrays'
 * bounds checks (docs/classification-experiments.md). The bytes below are `sparse-kernel.wat` beside this file,
 * compiled by `npx -p wabt@1.0.39 wat2wasm sparse-kernel.wat -o k.wasm && base64 -w0 k.wasm` (381 bytes);
 * sparse-kernel.spec.ts checks them against the TypeScript loops.
 */
const KERNEL_WASM =
  'AGFzbQEAAAABEwJgBX9/f39/AXxgBn9/f39/fAACDwEDZW52A21lbQIBAYCABAMDAgABBw4CA2RvdAAABGF4cHkAAQq3AgLoAQMBfwR8An8gACEFAkADQCAFQQNqIAFODQEgAiAFQQJ0aiEKIAMgBUECdGohCyAGIAQgCigCAEEDdGorAwAgCyoCALuioCEGIAcgBCAKKAIEQQN0aisDACALKgIEu6KgIQcgCCAEIAooAghBA3RqKwMAIAsqAgi7oqAhCCAJIAQgCigCDEEDdGorAwAgCyoCDLuioCEJIAVBBGohBQwACwsCQANAIAUgAU4NASAGIAQgAiAFQQJ0aigCAEEDdGorAwAgAyAFQQJ0aioCALuioCEGIAVBAWohBQwACwsgBiAHoCAIIAmgoAtLAQJ/IAAhBgJAA0AgBiABTg0BIAQgAiAGQQJ0aigCAEEDdGohByAHIAcrAwAgBSADIAZBAnRqKgIAu6KgOQMAIAZBAWohBgwACwsL';

interface KernelExports {
  dot(from: number, to: number, indices: number, values: number, w: number): number;
  axpy(from: number, to: number, indices: number, values: number, w: number, d: number): void;
}

/** A matrix's rows copied into wasm memory, with a weight vector beside them. */
export interface SparseKernel {
  /** cols + 1 weights (the last one the bias feature's), in the kernel's memory: read before the next fit. */
  readonly w: Float64Array;
  /** Σ w[j] · x_pj over terms p in [from, to) (the bias feature not included), four partial sums as the solver's. */
  dot(from: number, to: number): number;
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
    dot: (from, to) => dot(from, to, indicesAt, valuesAt, wAt),
    axpy: (from, to, d) => axpy(from, to, indicesAt, valuesAt, wAt, d),
  };
  kernels.set(X.indices, kernel);
  return kernel;
}
