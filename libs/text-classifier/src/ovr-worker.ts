/**
 * Worker thread for {@link trainOneVsRestParallel}: receives a shared CSR matrix once, then trains the
 * binary problems it is handed one class at a time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import {
  type ClassGroups,
  type CsrMatrix,
  type LinearOptions,
  problemRows,
  rowSquaredNorms,
  trainBinary,
} from './linear';

interface WorkerInit {
  readonly X: CsrMatrix;
  readonly labels: Int32Array;
  readonly options: LinearOptions;
  readonly perClassC: Float64Array;
  readonly groups?: ClassGroups;
}

const { X, labels, options, perClassC, groups } = workerData as WorkerInit;
const port = parentPort;
if (port) {
  const positive = new Uint8Array(X.rows);
  // The same for every class this worker is handed.
  const norms = rowSquaredNorms(X, options.bias);
  port.on('message', ({ c, init }: { c: number; init?: Float64Array }) => {
    for (let i = 0; i < X.rows; i++) positive[i] = labels[i] === c ? 1 : 0;
    const { w, iterations, alpha } = trainBinary(
      X,
      positive,
      perClassC[c],
      options.C,
      options,
      options.seed + c,
      init,
      problemRows(X.rows, c, groups),
      norms,
    );
    const weights = Float32Array.from(w);
    const duals = alpha ? Float32Array.from(alpha) : undefined;
    port.postMessage(
      { c, iterations, weights, alpha: duals },
      duals ? [weights.buffer, duals.buffer] : [weights.buffer],
    );
  });
  port.postMessage({ ready: true });
}
