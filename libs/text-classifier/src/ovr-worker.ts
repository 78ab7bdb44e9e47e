/**
 * Worker thread for {@link trainOneVsRestParallel}: told a fit's problem (a shared CSR matrix, the labels and
 * the classes' C), then trains the binary problems it is handed one class at a time. It keeps the last matrix
 * (by its id) with its rows' squared norms and its kernel, so the next fit over the same rows starts at once.
 */
import { parentPort } from 'node:worker_threads';
import { type CsrMatrix, type WorkerProblem, problemRows, rowSquaredNorms, trainBinary } from './linear';

const port = parentPort;
let problem: WorkerProblem | undefined;
let kept: { readonly matrix: number; readonly X: CsrMatrix; readonly positive: Uint8Array } | undefined;
// The rows' squared norms by bias feature: the same for every class of every fit over the kept matrix.
const norms = new Map<number, Float64Array>();

port?.on('message', (message: { problem: WorkerProblem } | { c: number; init?: Float64Array }) => {
  if ('problem' in message) {
    problem = message.problem;
    if (kept?.matrix !== problem.matrix) {
      kept = { matrix: problem.matrix, X: problem.X, positive: new Uint8Array(problem.X.rows) };
      norms.clear();
    }
    return;
  }
  if (!problem || !kept) throw new Error('a class before its problem');
  const { labels, options, perClassC, groups } = problem;
  const { X, positive } = kept;
  const { c, init } = message;
  let squared = norms.get(options.bias);
  if (!squared) {
    squared = rowSquaredNorms(X, options.bias);
    norms.set(options.bias, squared);
  }
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
    squared,
  );
  const weights = Float32Array.from(w);
  const duals = alpha ? Float32Array.from(alpha) : undefined;
  port.postMessage(
    { c, iterations, weights, alpha: duals },
    duals ? [weights.buffer, duals.buffer] : [weights.buffer],
  );
});
