import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { type OutboundMessage } from '@inbox/integrations/contract';

export interface NewNotice {
  appealId: string;
  channel: string;
  kind: OutboundMessage['kind'];
  text: string;
  subject: string;
  choices?: OutboundMessage['choices'];
  /** The history event the notice answers: one notice of a kind per event. */
  sourceEventId: string;
}

/** Notices to a citizen as outbound messages of their appeal, and what writing them needs to know. */
@Injectable()
export class NoticesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async replyAddressOf(appealId: string): Promise<Record<string, unknown> | null> {
    const [appeal] = (await this.dataSource.query(`SELECT reply_address FROM appeals WHERE id = $1`, [
      appealId,
    ])) as { reply_address: Record<string, unknown> | null }[];
    return appeal?.reply_address ?? null;
  }

  async applicantHasPhone(appealId: string): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `SELECT 1 FROM appeals a JOIN applicants p ON p.id = a.applicant_id WHERE a.id = $1 AND p.phone IS NOT NULL`,
      [appealId],
    )) as unknown[];
    return rows.length > 0;
  }

  /** The new message's id; undefined when this event already has its notice of this kind. */
  async insertOnce(notice: NewNotice): Promise<string | undefined> {
    const [row] = (await this.dataSource.query(
      `INSERT INTO outbound_messages (appeal_id, channel, kind, text, subject, choices, source_event_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (source_event_id, kind) WHERE source_event_id IS NOT NULL DO NOTHING RETURNING id`,
      [
        notice.appealId,
        notice.channel,
        notice.kind,
        notice.text,
        notice.subject,
        notice.choices ? JSON.stringify(notice.choices) : null,
        notice.sourceEventId,
      ],
    )) as { id: string }[];
    return row?.id;
  }

  /** Short names, in name order. */
  async organisationNames(ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const rows = (await this.dataSource.query(
      `SELECT short_name FROM organisations WHERE id::text = ANY($1) ORDER BY short_name`,
      [ids],
    )) as { short_name: string }[];
    return rows.map((r) => r.short_name);
  }
}
