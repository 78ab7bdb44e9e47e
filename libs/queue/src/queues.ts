/** Every queue and job name, in one place. Values are stored in Redis: never rename one. */
export enum QueueName {
  Intake = 'intake',
  Deadlines = 'deadlines',
  Delivery = 'delivery',
}

export enum JobName {
  /** Record deadline clocks that became at risk or overdue (repeatable: one schedule for all workers). */
  WatchClocks = 'watch-clocks',
  /** Turn one stored inbound item into an appeal or a follow-up. Job id = the item id. */
  NormaliseInboundItem = 'normalise-inbound-item',
  /** Re-enqueue items stored but never normalised (a crash between the insert and the enqueue). */
  SweepPendingItems = 'sweep-pending-items',
  /** Send one outbound message through its channel. Job id = the message id. */
  DeliverOutboundMessage = 'deliver-outbound-message',
}

export interface JobPayloads {
  [JobName.WatchClocks]: Record<string, never>;
  [JobName.NormaliseInboundItem]: { inboundItemId: string };
  [JobName.SweepPendingItems]: { olderThanMs: number };
  [JobName.DeliverOutboundMessage]: { outboundMessageId: string };
}

export const JOB_QUEUE: { [J in JobName]: QueueName } = {
  [JobName.WatchClocks]: QueueName.Deadlines,
  [JobName.NormaliseInboundItem]: QueueName.Intake,
  [JobName.SweepPendingItems]: QueueName.Intake,
  [JobName.DeliverOutboundMessage]: QueueName.Delivery,
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Checks a payload as it comes off the queue: Redis is outside the process, and old jobs outlive code. */
const VALIDATORS: { [J in JobName]: (data: unknown) => string | undefined } = {
  [JobName.WatchClocks]: (data) =>
    isObject(data) && !Array.isArray(data) && Object.keys(data).length === 0
      ? undefined
      : 'payload must be {}',
  [JobName.NormaliseInboundItem]: (data) =>
    isObject(data) && typeof data.inboundItemId === 'string' && UUID.test(data.inboundItemId)
      ? undefined
      : 'inboundItemId must be a UUID',
  [JobName.DeliverOutboundMessage]: (data) =>
    isObject(data) && typeof data.outboundMessageId === 'string' && UUID.test(data.outboundMessageId)
      ? undefined
      : 'outboundMessageId must be a UUID',
  [JobName.SweepPendingItems]: (data) =>
    isObject(data) && typeof data.olderThanMs === 'number' && data.olderThanMs >= 0
      ? undefined
      : 'olderThanMs must be a non-negative number',
};

export class InvalidJobPayloadError extends Error {
  constructor(job: string, reason: string) {
    super(`Invalid payload for job "${job}": ${reason}`);
    this.name = 'InvalidJobPayloadError';
  }
}

export function parseJobPayload<J extends JobName>(name: J, data: unknown): JobPayloads[J] {
  const validator = VALIDATORS[name] as ((d: unknown) => string | undefined) | undefined;
  if (!validator) throw new InvalidJobPayloadError(String(name), 'unknown job name');
  const problem = validator(data);
  if (problem) throw new InvalidJobPayloadError(name, problem);
  return data as JobPayloads[J];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
