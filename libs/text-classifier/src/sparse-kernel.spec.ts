import { type SparseVector } from './features';
import { seededRandom, toCsr } from './linear';
import { sparseKernel } from './sparse-kernel';

describe('sparse kernel (WebAssembly)', () => {
  it("gives the TypeScript loops' dot products and updates to the bit, on rows of 0–11 terms, reading another row ahead", () => {
    const random = seededRandom(11);
    const cols = 50;
    const vectors: SparseVector[] = Array.from({ length: 240 }, (_, i) => {
      const terms = new Set<number>();
      while (terms.size < i % 12) terms.add(Math.floor(random() * cols));
      const indices = Int32Array.from(terms);
      return { indices, values: Float32Array.from(indices, () => random() - 0.3) };
    });
    const X = toCsr(vectors, cols);
    const kernel = sparseKernel(X);
    expect(kernel).toBeDefined();
    if (!kernel) return;
    const w = new Float64Array(cols + 1).map(() => random() * 2 - 1);
    kernel.w.set(w);
    const { indptr, indices, values } = X;
    for (let i = 0; i < X.rows; i++) {
      const from = indptr[i];
      const to = indptr[i + 1];
      // The solver's loop: four partial sums, the remainder into the first.
      const d = [0, 0, 0, 0];
      let p = from;
      for (; p + 3 < to; p += 4) for (let k = 0; k < 4; k++) d[k] += w[indices[p + k]] * values[p + k];
      for (; p < to; p++) d[0] += w[indices[p]] * values[p];
      // The row read ahead (as the solver's next one) changes nothing in the sum.
      const next = Math.floor(random() * X.rows);
      expect(kernel.dot(from, to, indptr[next], indptr[next + 1])).toBe(d[0] + d[1] + (d[2] + d[3]));
      const step = random() - 0.5;
      for (let q = from; q < to; q++) w[indices[q]] += step * values[q];
      kernel.axpy(from, to, step);
    }
    // A wrong update shows in every later dot product and here.
    expect(Array.from(kernel.w)).toEqual(Array.from(w));
  });

  it('keeps one kernel per matrix', () => {
    const X = toCsr([{ indices: Int32Array.of(0, 2), values: Float32Array.of(1, 2) }], 3);
    expect(sparseKernel(X)).toBe(sparseKernel(X));
    const Y = toCsr([{ indices: Int32Array.of(1), values: Float32Array.of(1) }], 3);
    expect(sparseKernel(Y)).not.toBe(sparseKernel(X));
  });
});
