import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface AppealEventRecord {
  id: string;
  appealId: string;
  type: string;
  data: Record<string, unknown>;
  occurredAt: Date;
  channel: string;
  registrationNumber: string;
}

const CURSOR_KEY = 'appeal-event-hooks-cursor';

/** The outbox over the append-only appeal history: a cursor in `settings` and the events after it. */
@Injectable()
export class AppealEventsOutbox {
  constructor(private readonly dataSource: DataSource) {}

  /** Starts the cursor at the newest event, once; later calls keep where it is. */
  async startCursor(): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO settings (key, value) VALUES ($1, (SELECT coalesce(max(id), 0)::text FROM appeal_events))
       ON CONFLICT (key) DO NOTHING`,
      [CURSOR_KEY],
    );
  }

  async cursor(): Promise<string> {
    await this.startCursor();
    const [{ value }] = (await this.dataSource.query(`SELECT value FROM settings WHERE key = $1`, [
      CURSOR_KEY,
    ])) as { value: string }[];
    return value;
  }

  async after(cursor: string, batch: number): Promise<AppealEventRecord[]> {
    return (await this.dataSource.query(
      `SELECT e.id::text AS id, e.appeal_id AS "appealId", e.type, e.data, e.occurred_at AS "occurredAt",
              a.channel, a.registration_number AS "registrationNumber"
         FROM appeal_events e JOIN appeals a ON a.id = e.appeal_id
        WHERE e.id > $1::bigint ORDER BY e.id LIMIT $2`,
      [cursor, batch],
    )) as AppealEventRecord[];
  }

  async saveCursor(cursor: string): Promise<void> {
    await this.dataSource.query(`UPDATE settings SET value = $2 WHERE key = $1`, [CURSOR_KEY, cursor]);
  }
}
