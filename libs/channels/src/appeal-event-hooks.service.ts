import { Injectable, type OnModuleInit } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { rootLogger } from '@inbox/common';

export interface AppealEventRecord {
  id: string;
  appealId: string;
  type: string;
  data: Record<string, unknown>;
  occurredAt: Date;
  channel: string;
  registrationNumber: string;
}

/** Reacts to an appeal's history event of a given channel (a status notice, a ПОС status push…). */
export type AppealEventHook = (event: AppealEventRecord) => Promise<void>;

const CURSOR_KEY = 'appeal-event-hooks-cursor';
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

  constructor(private readonly dataSource: DataSource) {}

  /**
   * The cursor starts at boot, not at the first drain: an item registered between the boot and the first
   * drain (a second later) must not be skipped.
   */
  async onModuleInit(): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO settings (key, value) VALUES ($1, (SELECT coalesce(max(id), 0)::text FROM appeal_events))
       ON CONFLICT (key) DO NOTHING`,
      [CURSOR_KEY],
    );
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
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = (await runner.query(
        `SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked`,
        [LOCK],
      )) as { locked: boolean }[];
      if (!locked) return 0;
      try {
        await runner.query(
          `INSERT INTO settings (key, value) VALUES ($1, (SELECT coalesce(max(id), 0)::text FROM appeal_events))
           ON CONFLICT (key) DO NOTHING`,
          [CURSOR_KEY],
        );
        const [{ value }] = (await runner.query(`SELECT value FROM settings WHERE key = $1`, [
          CURSOR_KEY,
        ])) as {
          value: string;
        }[];
        const rows = (await runner.query(
          `SELECT e.id::text AS id, e.appeal_id AS "appealId", e.type, e.data, e.occurred_at AS "occurredAt",
                  a.channel, a.registration_number AS "registrationNumber"
             FROM appeal_events e JOIN appeals a ON a.id = e.appeal_id
            WHERE e.id > $1::bigint ORDER BY e.id LIMIT $2`,
          [value, batch],
        )) as AppealEventRecord[];
        let last = value;
        for (const event of rows) {
          const hooks = [...(this.hooks.get(event.channel) ?? []), ...(this.hooks.get('*') ?? [])];
          for (const h of hooks) {
            if (!h.types.has(event.type)) continue;
            try {
              await h.hook(event);
            } catch (error) {
              // Stop here: the cursor stays before this event and the hook is retried on the next drain.
              this.log.warn('hook failed; will retry', { hook: h.name, eventId: event.id, reason: error });
              await this.save(runner, last);
              return rows.indexOf(event);
            }
          }
          last = event.id;
        }
        await this.save(runner, last);
        return rows.length;
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtextextended($1, 0))`, [LOCK]);
      }
    } finally {
      await runner.release();
    }
  }

  private async save(runner: { query(sql: string, params: unknown[]): Promise<unknown> }, last: string) {
    await runner.query(`UPDATE settings SET value = $2 WHERE key = $1`, [CURSOR_KEY, last]);
  }
}
