import { Injectable } from '@nestjs/common';
import { rootLogger } from '@inbox/common';
import { InboundStore, type StoredItemResult } from '@inbox/intake';
import { Channel, type InboundEvent, type InboundItem, type RatingEvent } from '@inbox/integrations/contract';
import { JobName, JobProducer } from '@inbox/queue';
import { scopedItem } from './account-scope';
import { ChannelAccountsRepository, type QuarantinedInput } from './channel-accounts.repository';
import { type ChannelEntry } from './channel-registry.service';
import { InboundEventsRepository } from './inbound-events.repository';

/** How many times the sweep queues a webhook's events again before leaving them for a person. */
export const DEFERRED_EVENTS_MAX_ROUNDS = 10;

/** Events kept in deferred_inbound_events (keptInDatabase), and as they travel (withoutPersonalData). */
export interface KeptEvents {
  deferredId: string;
  events: InboundEvent[];
}

/** The payload mark the database turns into status 'gated' (migration MessengerDialogue). */
export const DIALOGUE_GATE = 'dialogue';

/**
 * A citizen's private message to our bot (a Telegram chat, a VK or OK dialogue). It waits for the bot, which
 * answers commands and asks for consent to personal-data processing (152-ФЗ) before it may be registered.
 * VK and OK wall posts and comments, and comments under the official Telegram channel's posts, are public
 * open-source messages (8-ФЗ) and go straight to registration.
 */
export function isDialogueItem(item: InboundItem): boolean {
  const messenger = [Channel.Telegram, Channel.Vk, Channel.Ok].includes(item.channel);
  return messenger && item.features?.source !== 'wall';
}

/**
 * Events as they are kept in Postgres until handled: as they travel, but a rating keeps the citizen's comment (their
 * reason, stored with the rating), which never goes through Redis: the worker reads it back from here.
 */
export function keptInDatabase(event: InboundEvent): InboundEvent {
  const cleaned = withoutPersonalData(event);
  if (event.kind !== 'rating' || !event.comment) return cleaned;
  return { ...(cleaned as RatingEvent), comment: event.comment };
}

/** Events as they may travel through Redis: the author reduced to the channel's id, free text dropped. */
export function withoutPersonalData(event: InboundEvent): InboundEvent {
  if (event.kind === 'delivery-state') return event;
  const author = event.author?.externalId ? { externalId: event.author.externalId } : undefined;
  if (event.kind === 'rating') {
    const { comment: _comment, author: _author, ...rest } = event;
    return author ? { ...rest, author } : rest;
  }
  if (event.kind === 'withdrawal') {
    const { author: _author, ...rest } = event;
    return author ? { ...rest, author } : rest;
  }
  return { ...event, author: author ?? {} };
}

/**
 * What a channel does with items it sent again, already stored (each with the stored item's id): ПОС sends a message
 * again whenever its record changes, and only the later history is new. Registration takes the first copy only.
 */
export type RepeatedItemsHandler = (
  repeated: { inboundItemId: string; item: InboundItem }[],
) => Promise<void>;

/**
 * Where a connector's items and events enter (pulls and webhooks alike): items are stored first, dialogue
 * items held for the bot, the rest sent to normalisation; webhook events go to the worker, which handles them.
 */
@Injectable()
export class ChannelIntake {
  private readonly log = rootLogger.child('channel-intake');
  private readonly repeatHandlers = new Map<Channel, RepeatedItemsHandler>();

  constructor(
    private readonly store: InboundStore,
    private readonly jobs: JobProducer,
    private readonly accounts: ChannelAccountsRepository,
    private readonly events: InboundEventsRepository,
  ) {}

  /** `handler` is given the channel's items that came again (see RepeatedItemsHandler), after they are stored. */
  onRepeatedItems(channel: Channel, handler: RepeatedItemsHandler): void {
    this.repeatHandlers.set(channel, handler);
  }

  /** Inputs the connector could not read, kept whole with the reason for staff (pulls and webhooks alike). */
  async quarantine(entry: ChannelEntry, inputs: QuarantinedInput[] | undefined): Promise<void> {
    if (!inputs?.length) return;
    await this.accounts.quarantine(entry.account.channel, entry.account.id, inputs);
  }

  async storeItems(
    entry: ChannelEntry,
    items: InboundItem[],
    options: { cursor?: unknown } = {},
  ): Promise<StoredItemResult[]> {
    // Named by the account: two communities' (or bots') messages with the same local id are two items.
    items = items.map((item) => scopedItem(entry, item));
    const dialogue = new Set(items.filter(isDialogueItem).map((i) => i.externalId));
    const marked = items.map((item) =>
      dialogue.has(item.externalId) ? ({ ...item, gate: DIALOGUE_GATE } as InboundItem) : item,
    );
    const stored = await this.store.store(marked, {
      accountId: entry.account.id,
      ...('cursor' in options ? { cursor: options.cursor } : {}),
      enqueue: false,
    });
    // A fresh dialogue item is already 'gated' in the database (the store reports it as new, 'pending').
    const admit = stored.filter((s) => (s.duplicate ? s.status === 'gated' : dialogue.has(s.externalId)));
    const normalise = stored.filter((s) => s.status === 'pending' && !admit.includes(s));
    await this.store.enqueue(normalise.map((s) => s.inboundItemId));
    await this.jobs.addBulk(
      JobName.AdmitDialogueItem,
      admit.map((s) => ({
        payload: { inboundItemId: s.inboundItemId },
        // Removed when done, so that the sweep can admit again an item a crash left gated.
        options: { jobId: `admit:${s.inboundItemId}`, removeOnComplete: true },
      })),
    );
    await this.repeated(entry, items, stored);
    return stored;
  }

  /**
   * The items that came again, to their channel's handler. Its failure is logged, not the pull's: the items are
   * stored and the cursor moves on; what a repeat brings is cumulative (ПОС's whole history), the next one has it.
   */
  private async repeated(
    entry: ChannelEntry,
    items: InboundItem[],
    stored: StoredItemResult[],
  ): Promise<void> {
    const handler = this.repeatHandlers.get(entry.account.channel);
    if (!handler) return;
    const byExternalId = new Map(items.map((item) => [item.externalId, item]));
    const repeated = stored
      .filter((s) => s.duplicate && byExternalId.has(s.externalId))
      .map((s) => ({ inboundItemId: s.inboundItemId, item: byExternalId.get(s.externalId)! }));
    if (repeated.length === 0) return;
    try {
      await handler(repeated);
    } catch (error) {
      this.log.warn('repeated items not handled', {
        channel: entry.account.channel,
        accountId: entry.account.id,
        count: repeated.length,
        reason: error instanceof Error ? error.message : String(error),
      });
    }
  }

  /**
   * Webhook events are handled by the worker, where the bot's dialogue runs; the channel gets its 200 now, and
   * sends them no more. So they are stored first, in Postgres (as items are), and the job only points the worker
   * at them: a Redis restarted empty or flushed before the worker took the job loses nothing, the dialogue sweep
   * queues them again (`requeueDeferredEvents`). A Redis that refuses the job is the sweep's business too.
   */
  async deferEvents(entry: ChannelEntry, events: InboundEvent[] | undefined): Promise<void> {
    await this.handOverEvents(entry, await this.keepEvents(entry, events));
  }

  /**
   * Only keeps the events (deferred_inbound_events), for a caller that handles them itself and then says so
   * (`deferredEventsHandled`) or hands them to the worker (`handOverEvents`); if it dies first, the dialogue sweep
   * queues them. Undefined when there are none.
   */
  async keepEvents(entry: ChannelEntry, events: InboundEvent[] | undefined): Promise<KeptEvents | undefined> {
    if (!events?.length) return undefined;
    const kept = events.map(keptInDatabase);
    return {
      deferredId: await this.events.defer(entry.kind, entry.account.id, kept),
      events: kept.map(withoutPersonalData),
    };
  }

  /** The worker handles the kept events (a Redis that refuses the job: the sweep queues them). */
  async handOverEvents(entry: ChannelEntry, kept: KeptEvents | undefined): Promise<void> {
    if (!kept) return;
    const { deferredId, events } = kept;
    await this.jobs
      .add(
        JobName.HandleInboundEvents,
        { kind: entry.kind, accountId: entry.account.id, events, deferredId },
        { jobId: `events:${deferredId}` },
      )
      .catch((error: unknown) =>
        this.log.warn('webhook events not enqueued; the sweep will queue them', {
          deferredId,
          reason: error,
        }),
      );
  }

  /** The events still kept under `deferredId`, whole (a rating's comment included); undefined once handled. */
  deferredEvents(deferredId: string): Promise<InboundEvent[] | undefined> {
    return this.events.deferred(deferredId);
  }

  /** The worker has handled a webhook's events: they are no longer kept. */
  deferredEventsHandled(deferredId: string): Promise<void> {
    return this.events.deferredHandled(deferredId);
  }

  /**
   * Queues again the webhook events still kept after `olderThanMs`: their job went with Redis, or failed every
   * attempt (then at most DEFERRED_EVENTS_MAX_ROUNDS times, after which they wait in deferred_inbound_events).
   */
  async requeueDeferredEvents(olderThanMs: number): Promise<number> {
    const rows = await this.events.deferredToRequeue(olderThanMs, DEFERRED_EVENTS_MAX_ROUNDS, 500);
    await this.jobs.requeue(
      JobName.HandleInboundEvents,
      rows.map((r) => ({
        payload: {
          kind: r.kind,
          ...(r.accountId ? { accountId: r.accountId } : {}),
          events: r.events.map(withoutPersonalData),
          deferredId: r.id,
        },
        options: { jobId: `events:${r.id}` },
      })),
    );
    return rows.length;
  }
}
