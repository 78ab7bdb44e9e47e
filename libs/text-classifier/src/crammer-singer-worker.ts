/**
 * Worker thread for {@link trainCrammerSingerOffThread}: fits one Crammer–Singer model on the shared matrix it
 * is given and posts back its weights and dual variables.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type CsrMatrix, type LinearOptions, trainCrammerSinger } from './linear';

interface WorkerInit {
  readonly X: CsrMatrix;
  readonly labels: Int32Array;
  readonly classes: number;
  readonly options: LinearOptions;
  readonly warmStart?: Float64Array[];
}

const { X, labels, classes, options, warmStart } = workerData as WorkerInit;
const port = parentPort;
if (port) {
  const result = trainCrammerSinger(X, labels, classes, options, warmStart);
  // Fresh arrays of this thread: handed over, not copied.
  const buffers = [result.weights.buffer, ...result.alphas.map((a) => a.buffer)] as ArrayBuffer[];
  port.postMessage(result, buffers);
}
