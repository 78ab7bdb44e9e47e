import { type Job, type Queue } from 'bull';
import { rootLogger } from '@inbox/common';

/**
 * Registers a processor. Bull's `process()` promise settles only when the queue stops, and it rejects
 * ("Connection is closed") when Redis goes away during shutdown; left unhandled that kills the process
 * or fails a test run. This keeps the rejection handled, and logs it unless the queue is closing anyway.
 */
export function processJobs<T = unknown>(
  queue: Queue,
  name: string,
  concurrency: number,
  handler: (job: Job<T>) => Promise<unknown>,
): void {
  queue.process(name, concurrency, handler).catch((error: unknown) => {
    const closing = (queue as unknown as { closing?: unknown }).closing;
    if (!closing)
      rootLogger.child('queue').warn('processor stopped', { queue: queue.name, job: name, reason: error });
  });
}
