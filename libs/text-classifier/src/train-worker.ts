/**
 * Worker thread for {@link trainOffThread}: trains one model on the rows it is given and posts back the
 * model file, its log lines on the way.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TextClassifier, type TrainOptions } from './classifier';
import { type LabelledExample } from './dataset';

const { examples, options } = workerData as { examples: LabelledExample[]; options: TrainOptions };
const port = parentPort;
if (port) {
  TextClassifier.train(examples, { ...options, log: (message) => port.postMessage({ log: message }) }).then(
    (model) => port.postMessage({ model: model.toModelFile() }),
    (error: unknown) => port.postMessage({ error: error instanceof Error ? error.message : String(error) }),
  );
}
