import { type InboundEvent } from '@inbox/integrations/contract';

/** Every queue and job name, in one place. Values are stored in Redis: never rename one. */
export enum QueueName {
  Intake = 'intake',
  Deadlines = 'deadlines',
  Delivery = 'delivery',
  /** Messenger delivery, one queue per channel so that each has its own rate limit (delivery-limits.ts). */
  DeliveryTelegram = 'delivery-telegram',
  DeliveryVk = 'delivery-vk',
  DeliveryOk = 'delivery-ok',
  /** Citizens' messengers: webhook events, the bot's look at dialogue items, media downloads. */
  Messengers = 'messengers',
  /** Topic prediction, fast-track rules, 59-ФЗ flags, incidents; model retraining. */
  Classification = 'classification',
}

export enum JobName {
  /** Record deadline clocks that became at risk or overdue (repeatable: one schedule for all workers). */
  WatchClocks = 'watch-clocks',
  /** Turn one stored inbound item into an appeal or a follow-up. Job id = the item id. */
  NormaliseInboundItem = 'normalise-inbound-item',
  /** The same for a batch of items stored together: one queue round trip for many registrations. */
  NormaliseInboundBatch = 'normalise-inbound-batch',
  /** Re-enqueue items stored but never normalised (a crash between the insert and the enqueue). */
  SweepPendingItems = 'sweep-pending-items',
  /** Send one outbound message through its channel. Job id = the message id. */
  DeliverOutboundMessage = 'deliver-outbound-message',
  /** Send one bot reply (greeting, help, consent request) through its channel. Job id = the reply id. */
  DeliverBotReply = 'deliver-bot-reply',
  /** Ratings, delivery states and bot actions that came with a webhook: handled by the worker. */
  HandleInboundEvents = 'handle-inbound-events',
  /** Let the bot see a stored messenger item before it may be registered. Job id = admit:<item id>. */
  AdmitDialogueItem = 'admit-dialogue-item',
  /** Download an attachment the channel only referenced. Job id = fetch:<attachment id>. */
  FetchAttachment = 'fetch-attachment',
  /** Classify a registered appeal (topic, fast-track, flags, routing suggestion, incident). Job id = classify:<appeal id>. */
  ClassifyAppeal = 'classify-appeal',
  /** Re-enqueue appeals registered but never classified (repeatable). */
  SweepUnclassified = 'sweep-unclassified',
  /** Train a candidate topic model and promote it if it scores no worse (repeatable, or by an admin). */
  RetrainClassifier = 'retrain-classifier',
}

export interface JobPayloads {
  [JobName.WatchClocks]: Record<string, never>;
  [JobName.NormaliseInboundItem]: { inboundItemId: string };
  [JobName.NormaliseInboundBatch]: { inboundItemIds: string[] };
  [JobName.SweepPendingItems]: { olderThanMs: number };
  /** On a channel's own queue, `accountId` names the account whose send budget it spends (LIMITER_GROUP_KEY). */
  [JobName.DeliverOutboundMessage]: { outboundMessageId: string; accountId?: string };
  [JobName.DeliverBotReply]: { botReplyId: string; accountId?: string };
  /** Events with the author reduced to the channel id: no names or texts in Redis. */
  /** `deferredId`: the deferred_inbound_events row that keeps them until handled (older jobs name none). */
  [JobName.HandleInboundEvents]: {
    kind: string;
    accountId?: string;
    events: InboundEvent[];
    deferredId?: string;
  };
  [JobName.AdmitDialogueItem]: { inboundItemId: string };
  [JobName.FetchAttachment]: { attachmentId: string };
  [JobName.ClassifyAppeal]: { appealId: string };
  [JobName.SweepUnclassified]: { olderThanMs: number };
  [JobName.RetrainClassifier]: { reason: 'schedule' | 'manual' | 'bootstrap'; requestedBy?: string };
}

export const JOB_QUEUE: { [J in JobName]: QueueName } = {
  [JobName.WatchClocks]: QueueName.Deadlines,
  [JobName.NormaliseInboundItem]: QueueName.Intake,
  [JobName.NormaliseInboundBatch]: QueueName.Intake,
  [JobName.SweepPendingItems]: QueueName.Intake,
  [JobName.DeliverOutboundMessage]: QueueName.Delivery,
  // Enters the common delivery queue; the worker moves it to its channel's rate-limited queue.
  [JobName.DeliverBotReply]: QueueName.Delivery,
  [JobName.HandleInboundEvents]: QueueName.Messengers,
  [JobName.AdmitDialogueItem]: QueueName.Messengers,
  [JobName.FetchAttachment]: QueueName.Messengers,
  [JobName.ClassifyAppeal]: QueueName.Classification,
  [JobName.SweepUnclassified]: QueueName.Classification,
  [JobName.RetrainClassifier]: QueueName.Classification,
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `{ [key]: a UUID }`, and with `withAccount` an optional accountId (the account whose send budget it spends). */
const uuidPayload =
  (key: string, { withAccount = false } = {}) =>
  (data: unknown): string | undefined =>
    isObject(data) && isUuid(data[key]) && (!withAccount || optionalUuid(data.accountId))
      ? undefined
      : withAccount
        ? `${key} must be a UUID, and accountId a UUID if given`
        : `${key} must be a UUID`;

/** The sweeps' `{ olderThanMs }`. */
const sweepPayload = (data: unknown): string | undefined =>
  isObject(data) && typeof data.olderThanMs === 'number' && data.olderThanMs >= 0
    ? undefined
    : 'olderThanMs must be a non-negative number';

/** Checks a payload as it comes off the queue: Redis is outside the process, and old jobs outlive code. */
const VALIDATORS: { [J in JobName]: (data: unknown) => string | undefined } = {
  [JobName.WatchClocks]: (data) =>
    isObject(data) && !Array.isArray(data) && Object.keys(data).length === 0
      ? undefined
      : 'payload must be {}',
  [JobName.NormaliseInboundBatch]: (data) =>
    isObject(data) &&
    Array.isArray(data.inboundItemIds) &&
    data.inboundItemIds.length > 0 &&
    data.inboundItemIds.length <= 500 &&
    data.inboundItemIds.every(isUuid)
      ? undefined
      : 'inboundItemIds must be 1–500 UUIDs',
  [JobName.NormaliseInboundItem]: uuidPayload('inboundItemId'),
  [JobName.DeliverOutboundMessage]: uuidPayload('outboundMessageId', { withAccount: true }),
  [JobName.DeliverBotReply]: uuidPayload('botReplyId', { withAccount: true }),
  [JobName.HandleInboundEvents]: (data) =>
    isObject(data) &&
    typeof data.kind === 'string' &&
    optionalUuid(data.accountId) &&
    (data.deferredId === undefined ||
      (typeof data.deferredId === 'string' && /^\d{1,18}$/.test(data.deferredId))) &&
    Array.isArray(data.events) &&
    data.events.every(
      (e) =>
        isObject(e) &&
        typeof e.kind === 'string' &&
        typeof e.channel === 'string' &&
        typeof e.externalId === 'string',
    )
      ? undefined
      : 'kind must be a string, accountId a UUID and deferredId a row id if given, and events a list of { kind, channel, externalId }',
  [JobName.AdmitDialogueItem]: uuidPayload('inboundItemId'),
  [JobName.FetchAttachment]: uuidPayload('attachmentId'),
  [JobName.SweepPendingItems]: sweepPayload,
  [JobName.ClassifyAppeal]: uuidPayload('appealId'),
  [JobName.SweepUnclassified]: sweepPayload,
  [JobName.RetrainClassifier]: (data) =>
    isObject(data) &&
    ['schedule', 'manual', 'bootstrap'].includes(data.reason as string) &&
    optionalUuid(data.requestedBy)
      ? undefined
      : 'reason must be schedule, manual or bootstrap; requestedBy a UUID when given',
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

function isUuid(value: unknown): boolean {
  return typeof value === 'string' && UUID.test(value);
}

function optionalUuid(value: unknown): boolean {
  return value === undefined || isUuid(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
