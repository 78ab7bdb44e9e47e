import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** What a notice needs to know of its appeal: where the answer goes, and whether the applicant gave a phone. */
export interface NoticeFacts {
  replyAddress: Record<string, unknown> | null;
  hasPhone: boolean;
}

/** What writing a notice to a citizen needs to know (the notice itself is queued by libs/delivery). */
@Injectable()
export class NoticesRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The appeals' facts for their notices, by appeal id, in one statement. */
  async noticeFacts(appealIds: string[]): Promise<Map<string, NoticeFacts>> {
    if (appealIds.length === 0) return new Map();
    const rows = (await this.dataSource.query(
      `SELECT a.id, a.reply_address, p.phone IS NOT NULL AS has_phone
         FROM appeals a LEFT JOIN applicants p ON p.id = a.applicant_id WHERE a.id = ANY($1::uuid[])`,
      [appealIds],
    )) as { id: string; reply_address: Record<string, unknown> | null; has_phone: boolean }[];
    return new Map(rows.map((r) => [r.id, { replyAddress: r.reply_address, hasPhone: r.has_phone }]));
  }

  /**
   * The appeals whose citizen was told of a further message within the last `withinMs` (by the database's
   * clock): a burst of messages (an album of photos, a thought in several lines) is acknowledged once.
   */
  async followUpsAcknowledgedWithin(appealIds: string[], withinMs: number): Promise<Set<string>> {
    if (appealIds.length === 0) return new Set();
    const rows = (await this.dataSource.query(
      `SELECT DISTINCT m.appeal_id AS id FROM outbound_messages m JOIN appeal_events e ON e.id = m.source_event_id
        WHERE m.appeal_id = ANY($1::uuid[]) AND e.type = 'follow-up-received'
          AND m.created_at > now() - make_interval(secs => $2::float8 / 1000)`,
      [appealIds, withinMs],
    )) as { id: string }[];
    return new Set(rows.map((r) => r.id));
  }

  /** Short names of the organisations, in name order. */
  async organisationNames(ids: string[]): Promise<{ id: string; shortName: string }[]> {
    if (ids.length === 0) return [];
    return (await this.dataSource.query(
      `SELECT id::text, short_name AS "shortName" FROM organisations WHERE id::text = ANY($1) ORDER BY short_name`,
      [ids],
    )) as { id: string; shortName: string }[];
  }
}
