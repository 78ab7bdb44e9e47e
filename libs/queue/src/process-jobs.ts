import { type Job, type Queue } from 'bull';
import { rootLogger } from '@inbox/common';

/**
 * Registers a processor. Bull's `process()` promise settles only when the queue stops, and it rejects
 * ("Connection is closed") when Redis goes away during shutdown; left unhandled that kills the process
 * or fails a test run. This keeps the rejection handled, and logs it unless the queue is closing anyway.
 */
const WATCHED = new WeakSet<Queue>();

export function processJobs<T = unknown>(
  queue: Queue,
  name: string,
  concurrency: number,
  handler: (job: Job<T>) => Promise<unknown>,
): void {
  if (!WATCHED.has(queue)) {
    WATCHED.add(queue);
    // Bull emits 'error' (e.g. a job finishing while Redis closes at shutdown); unheard, it would crash us.
    queue.on('error', (error: unknown) => {
      const closing = (queue as unknown as { closing?: unknown }).closing;
      if (!closing) rootLogger.child('queue').warn('queue error', { queue: queue.name, reason: error });
    });
  }
  queue.process(name, concurrency, handler).catch((error: unknown) => {
    const closing = (queue as unknown as { closing?: unknown }).closing;
    if (!closing)
      rootLogger.child('queue').warn('processor stopped', { queue: queue.name, job: name, reason: error });
  });
}
