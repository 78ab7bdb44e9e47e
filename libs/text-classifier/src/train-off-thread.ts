import { Worker } from 'node:worker_threads';
import { TextClassifier, type ModelFile, type TrainOptions } from './classifier';
import { ClassifierInputError } from './csv';
import { type LabelledExample } from './dataset';
import { workerScript } from './worker-script';

type WorkerMessage = { log: string } | { model: ModelFile } | { error: string };

/**
 * {@link TextClassifier.train} in a worker thread, so that a process serving jobs keeps serving them while
 * a model trains (featurisation, the solver and calibration take seconds of CPU on 30 k rows). The rows
 * are copied to the thread once; the model comes back as its file. Without a compiled worker script
 * (TypeScript sources that were never built) it refuses rather than block the caller's event loop.
 */
export async function trainOffThread(
  examples: readonly LabelledExample[],
  options: TrainOptions = {},
): Promise<TextClassifier> {
  const script = workerScript('train-worker');
  if (!script) throw new Error('train-worker.js not found: run `npm run build` first');
  if (examples.length < 2) throw new ClassifierInputError('need at least 2 labelled rows to train');
  const { log, ...rest } = options;
  const worker = new Worker(script, { workerData: { examples, options: rest } });
  try {
    const file = await new Promise<ModelFile>((resolve, reject) => {
      worker.on('message', (message: WorkerMessage) => {
        if ('log' in message) log?.(message.log);
        else if ('model' in message) resolve(message.model);
        else reject(new ClassifierInputError(message.error));
      });
      worker.on('error', reject);
      worker.on('exit', (code) => reject(new Error(`training thread exited with code ${code}`)));
    });
    return TextClassifier.fromModelFile(file, 'training thread');
  } finally {
    await worker.terminate();
  }
}
