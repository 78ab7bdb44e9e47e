import { Injectable, type OnModuleInit } from '@nestjs/common';
import { rootLogger } from '@inbox/common';
import { AdvisoryLocks } from './advisory-locks';
import { type AppealEventRecord, AppealEventsOutbox } from './appeal-events-outbox.repository';

/** Reacts to an appeal's history event of a given channel (a status notice, a ПОС status push…). */
export type AppealEventHook = (event: AppealEventRecord) => Promise<void>;

const LOCK = 'appeal-event-hooks';

/**
 * An outbox over the append-only history: channel hooks see every event of their channel's appeals, in
 * order, at least once, after the change has committed. One consumer at a time (an advisory lock); the
 * cursor advances only past events whose hooks succeeded, so hooks must be idempotent.
 */
@Injectable()
export class AppealEventHooks implements OnModuleInit {
  private readonly hooks = new Map<string, { types: Set<string>; hook: AppealEventHook; name: string }[]>();
  private readonly log = rootLogger.child('appeal-event-hooks');

  constructor(
    private readonly outbox: AppealEventsOutbox,
    private readonly locks: AdvisoryLocks,
  ) {}

  /**
   * The cursor starts at boot, not at the first drain: an item registered between the boot and the first
   * drain (a second later) must not be skipped.
   */
  async onModuleInit(): Promise<void> {
    await this.outbox.startCursor();
  }

  /** `channel` '*' listens to every channel. */
  on(name: string, channel: string, types: string[], hook: AppealEventHook): void {
    const list = this.hooks.get(channel) ?? [];
    list.push({ name, types: new Set(types), hook });
    this.hooks.set(channel, list);
  }

  /** Processes new events; returns how many were seen. */
  async drain(batch = 500): Promise<number> {
    if (this.hooks.size === 0) return 0;
    const done = await this.locks.withLock(LOCK, async () => {
      const cursor = await this.outbox.cursor();
      const rows = await this.outbox.after(cursor, batch);
      let last = cursor;
      for (const event of rows) {
        const hooks = [...(this.hooks.get(event.channel) ?? []), ...(this.hooks.get('*') ?? [])];
        for (const h of hooks) {
          if (!h.types.has(event.type)) continue;
          try {
            await h.hook(event);
          } catch (error) {
            // Stop here: the cursor stays before this event and the hook is retried on the next drain.
            this.log.warn('hook failed; will retry', { hook: h.name, eventId: event.id, reason: error });
            await this.outbox.saveCursor(last);
            return rows.indexOf(event);
          }
        }
        last = event.id;
      }
      await this.outbox.saveCursor(last);
      return rows.length;
    });
    return done?.value ?? 0;
  }
}
