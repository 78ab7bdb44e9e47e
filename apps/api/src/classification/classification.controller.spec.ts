import { type Queue } from 'bull';
import { ClassificationController } from './classification.controller';

/** A Bull job as getJob gives it: a snapshot of its hash, and its state read from Redis when asked. */
function jobSnapshot(returnvalue: unknown, state: string) {
  return { returnvalue, failedReason: undefined, progress: () => 100, getState: async () => state };
}

/** The controller with only its queue: retrainStatus reads nothing else. */
function controllerWith(queue: Pick<Queue, 'getJob'>): ClassificationController {
  const unused = undefined as never;
  return new ClassificationController(unused, unused, unused, unused, unused, queue as Queue);
}

describe('ClassificationController.retrainStatus', () => {
  it('reads the job again when it finished after the first read, so a completed job carries its result', async () => {
    // The first read predates the finish (no result yet); by the state's read the job has completed.
    const reads = [
      jobSnapshot(null, 'completed'),
      jobSnapshot({ outcome: 'promoted', modelId: 'm1' }, 'completed'),
    ];
    const controller = controllerWith({ getJob: async () => reads.shift() } as unknown as Queue);
    const status = await controller.retrainStatus('retrain:1');
    expect(status).toMatchObject({ state: 'completed', result: { outcome: 'promoted', modelId: 'm1' } });
  });

  it('keeps the first read while the job is still running', async () => {
    const getJob = jest.fn(async () => jobSnapshot(null, 'active'));
    const controller = controllerWith({ getJob } as unknown as Queue);
    expect(await controller.retrainStatus('retrain:2')).toMatchObject({ state: 'active', result: null });
    expect(getJob).toHaveBeenCalledTimes(1);
  });
});
